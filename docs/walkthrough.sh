#!/usr/bin/env bash
# A proton-therapy case from registration to closure by hand, with curl, against a running system
# (./temporal-dev.sh). Start it with PATHWAY_FOLLOW_UP_WINDOW=30s to see the case close right after
# the stay (the default waits 90 days for follow-ups).
# Run it whole (bash docs/walkthrough.sh) or copy the commands one by one; each step prints what
# the case now waits for. Watch the case in the Temporal UI and the emails in the mail inbox.
set -euo pipefail
cd "$(dirname "$0")/.."
API="${API:-http://localhost:3000}"
MAIL="${MAIL:-http://localhost:1080}"
RUN="$(date +%s)"

json() { node -pe "const v=JSON.parse(require('fs').readFileSync(0,'utf8'));$1"; }
post() { curl -sS -X "${3:-POST}" "$API$1" -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -d "${2:-{\}}"; }
show() { curl -sS "$API/cases/$REF" -H "Authorization: Bearer $TOKEN" | json '`  → phase ${v.phase}, waiting for: ${v.waitingFor}`'; }
# The token in the newest email to $1 (development only: reads the mail inbox's API).
link_token() { sleep 1; curl -sS "$MAIL/api/email" | json "v.filter(m=>m.to.some(t=>t.address==='$1')).pop().text.match(/token=([\\w.-]+)/)[1]"; }
login() { TOKEN=$(curl -sS -X POST "$API/auth/login" -H 'Content-Type: application/json' -d "{\"email\":\"$1\",\"password\":\"a long passphrase here\"}" | json 'v.accessToken'); }
staff() { # email role → a signed-in staff member in $TOKEN, id in $STAFF_ID
  npm run -s staff:add -- --email "$1" --role "$2" >/dev/null
  curl -sS -X POST "$API/auth/password/set" -H 'Content-Type: application/json' -d "{\"token\":\"$(link_token "$1")\",\"password\":\"a long passphrase here\"}"
  login "$1"; STAFF_ID=$(curl -sS "$API/me" -H "Authorization: Bearer $TOKEN" | json 'v.id')
}

echo "1. The patient registers, confirms the address from the emailed link, signs in and opens a case"
PATIENT="amina.$RUN@example.ma"
curl -sS -X POST "$API/auth/register" -H 'Content-Type: application/json' \
  -d "{\"email\":\"$PATIENT\",\"password\":\"a long passphrase here\",\"name\":\"Amina Benali\",\"kind\":\"patient\",\"language\":\"en\"}" >/dev/null
curl -sS "$API/auth/verify-email?token=$(link_token "$PATIENT")" >/dev/null
login "$PATIENT"; PATIENT_TOKEN=$TOKEN
REF=$(post /cases "$(sed "s/amina.benali@example.ma/$PATIENT/" docs/example-case.json)" | json 'v.reference')
echo "   case $REF"; sleep 1; show

echo "2. The questionnaire, and the medical file (a PDF per checklist item, DICOM for the images; three are declared \"none\")"
post "/cases/$REF/questionnaire" '{"sex":"female","dateOfBirth":"1978-03-14","placeOfBirth":"Casablanca","phone":"+212 6 12 34 56 78","postalAddress":"12 rue des Orangers, Casablanca","referrerPhone":"+212 5 22 00 00 00","pathologyName":"Chordoma","pathologyLocation":"Skull base"}' PUT >/dev/null
printf '%%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%%%EOF\n' > "/tmp/parcours-walkthrough.pdf"
# The images must be DICOM: a 128-byte preamble of zeros, then the DICM marker.
{ head -c 128 /dev/zero; printf 'DICM'; head -c 64 /dev/zero; } > "/tmp/parcours-walkthrough.dcm"
for kind in gp_letter imaging_report dicom_images; do
  file=/tmp/parcours-walkthrough.pdf; [ "$kind" = dicom_images ] && file=/tmp/parcours-walkthrough.dcm
  curl -sS -X POST "$API/cases/$REF/documents" -H "Authorization: Bearer $TOKEN" -F kind=$kind -F language=fr -F "files=@$file" >/dev/null
done
for item in operation_reports chemotherapy_reports radiotherapy_reports; do post "/cases/$REF/checklist/$item/none" '{"none":true}' PUT >/dev/null; done
post "/cases/$REF/submit" >/dev/null; show

echo "3. The admission coordinator finds the file complete"
staff "admissions.$RUN@hospital.example" admission_coordinator
post "/cases/$REF/review" '{"decision":"complete"}' >/dev/null; show

echo "4. A care coordinator is assigned, and approves the contents: the service fee is requested"
staff "care.$RUN@hospital.example" care_coordinator; CARE_TOKEN=$TOKEN
post "/cases/$REF/coordinator" "{\"coordinatorId\":\"$STAFF_ID\"}" PUT >/dev/null
post "/cases/$REF/approve" >/dev/null; TOKEN=$PATIENT_TOKEN; show

echo "5. The payment provider confirms the payment (a signed webhook; the secret is in data/secrets.json in development)"
SECRET=$(node -pe "require('./data/secrets.json').paymentWebhookSecret")
pay() { # amountCents purpose
  local body="{\"paymentId\":\"pay-$RUN-$RANDOM\",\"caseReference\":\"$REF\",\"amountCents\":$1,\"currency\":\"EUR\",\"purpose\":\"$2\",\"paidAt\":\"$(date -u +%Y-%m-%dT%H:%M:%SZ)\"}"
  local ts sig; ts=$(date +%s); sig=$(printf '%s.%s' "$ts" "$body" | openssl dgst -sha256 -hmac "$SECRET" -hex | sed 's/^.* //')
  curl -sS -X POST "$API/webhooks/payments" -H 'Content-Type: application/json' -H "Parcours-Timestamp: $ts" -H "Parcours-Signature: v1=$sig" -d "$body" >/dev/null
}
pay "$(curl -sS "$API/cases/$REF" -H "Authorization: Bearer $TOKEN" | json 'v.amountDueCents')" study_fee
sleep 1; show

echo "6. The radiotherapy team (MDT) returns its report: proton therapy here"
staff "mdt.$RUN@hospital.example" mdt
post "/cases/$REF/report" '{"kind":"mdt","strategy":"treatment_here","summary":"Proton therapy indicated: 30 fractions."}' >/dev/null
TOKEN=$PATIENT_TOKEN; sleep 1; show

echo "7. The care coordinator issues the estimate (PDF emailed; transport, accommodation and meals not included)"
TOKEN=$CARE_TOKEN; NUMBER=$(post "/cases/$REF/estimates" '{"lines":[{"code":"consultation","quantity":1},{"code":"treatment_planning","quantity":1},{"code":"proton_fraction","quantity":30}]}' | json 'v.number')
TOKEN=$PATIENT_TOKEN; echo "   estimate $NUMBER"; sleep 1; show

echo "8. The patient accepts it; nothing proceeds until it is paid in full (or an insurer letter is recorded)"
post "/cases/$REF/estimates/$NUMBER/accept" >/dev/null; sleep 1; show
post "/cases/$REF/arrival" "{\"date\":\"$(date -u -d '+20 days' +%F)\",\"plannedStayDays\":45}" PUT | json '`   arrival before the guarantee: ${v.error.code}`'
pay "$(curl -sS "$API/cases/$REF" -H "Authorization: Bearer $TOKEN" | json 'v.treatment.estimates[0].totalCents')" "Estimate $NUMBER"
sleep 1; show

echo "9. The arrival date: visa certificate (a Moroccan national needs a visa), practical pack; an interpreter is requested"
post "/cases/$REF/arrival" "{\"date\":\"$(date -u -d '+20 days' +%F)\",\"plannedStayDays\":45}" PUT >/dev/null
TASK=$(post "/cases/$REF/requests" '{"kind":"interpreter","details":"Arabic, for the consultations"}' | json 'v.id')
sleep 2; show
curl -sS "$API/cases/$REF" -H "Authorization: Bearer $TOKEN" | json '`   visa: ${v.treatment.visa.status}; task ${v.treatment.tasks[0].id} for ${v.treatment.tasks[0].team}`'

echo "10. Support books the interpreter; the patient arrives; the coordinator records the discharge"
staff "support.$RUN@hospital.example" support
post "/cases/$REF/tasks/$TASK/complete" '{"outcome":"Interpreter booked for the first consultations"}' >/dev/null
TOKEN=$CARE_TOKEN; post "/cases/$REF/arrived" >/dev/null; sleep 1
post "/cases/$REF/discharge" '{"performed":[{"code":"consultation","quantity":1},{"code":"treatment_planning","quantity":1},{"code":"proton_fraction","quantity":28}]}' >/dev/null
TOKEN=$PATIENT_TOKEN; sleep 2; show
curl -sS "$API/cases/$REF" -H "Authorization: Bearer $TOKEN" | json '`   final invoice ${v.treatment.reconciliation.invoiceNumber}: ${v.treatment.reconciliation.outcome}, refund ${v.treatment.reconciliation.refundDueCents} cents`'

echo "11. After the stay: the case closes once no follow-up remains for PATHWAY_FOLLOW_UP_WINDOW"
for _ in $(seq 1 30); do
  PHASE=$(curl -sS "$API/cases/$REF" -H "Authorization: Bearer $TOKEN" | json 'v.phase'); [ "$PHASE" = closed ] && break; sleep 3
done
show
echo "Done. Temporal UI: ${TEMPORAL_UI_URL:-http://localhost:8233}/namespaces/default/workflows/case-$REF — mail inbox: $MAIL"
