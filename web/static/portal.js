// Progressive enhancement only: every form works without this file. It sends upload forms with
// XMLHttpRequest to show a progress bar, then follows the server's answer. No inline code (CSP).
'use strict';
(function () {
  function setup(form) {
    var progress = form.querySelector('progress');
    var result = form.querySelector('[role="status"], [role="alert"]');
    form.addEventListener('submit', function (event) {
      if (!window.FormData || !window.XMLHttpRequest) return;
      event.preventDefault();
      var button = form.querySelector('button[type="submit"]');
      var xhr = new XMLHttpRequest();
      xhr.open('POST', form.action);
      xhr.setRequestHeader('Accept', 'application/json');
      if (progress) {
        progress.hidden = false;
        progress.value = 0;
      }
      if (button) button.disabled = true;
      xhr.upload.addEventListener('progress', function (e) {
        if (progress && e.lengthComputable) progress.value = Math.round((e.loaded / e.total) * 100);
      });
      xhr.addEventListener('load', function () {
        var answer = null;
        try {
          answer = JSON.parse(xhr.responseText);
        } catch {
          answer = null;
        }
        if (xhr.status >= 200 && xhr.status < 300 && answer && answer.redirect) {
          window.location.assign(answer.redirect);
          return;
        }
        if (button) button.disabled = false;
        if (progress) progress.hidden = true;
        if (!answer || !answer.message) {
          // Not an answer this script understands (e.g. signed out): let the browser post the form.
          form.submit();
          return;
        }
        showError(answer);
      });
      xhr.addEventListener('error', function () {
        if (button) button.disabled = false;
        form.submit();
      });
      xhr.send(new FormData(form));
    });

    function showError(answer) {
      if (!result) return;
      result.setAttribute('role', 'alert');
      result.className = 'notice notice-error';
      result.textContent = '';
      var p = document.createElement('p');
      p.textContent = answer.message;
      result.appendChild(p);
      if (answer.refused && answer.refused.length) {
        var ul = document.createElement('ul');
        answer.refused.forEach(function (r) {
          var li = document.createElement('li');
          li.textContent = r.file + ': ' + r.reason;
          ul.appendChild(li);
        });
        result.appendChild(ul);
      }
    }
  }
  document.querySelectorAll('form[data-upload]').forEach(setup);
})();
