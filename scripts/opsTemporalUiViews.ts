// `npm run ops:temporal-ui-views`: what sets up the ops views of the Temporal Web UI in a browser
// (lib/temporalUiViews.ts): a link per role that saves its view (open each once), and the one line to
// paste in the browser's console, on a Temporal UI page, that sets the list's columns.
import { loadConfig } from '../lib/config';
import { columnsScript, OPS_COLUMNS, OPS_VIEWS, savedViewUrl } from '../lib/temporalUiViews';

function main(): number {
  if (process.argv.slice(2).some((a) => a === '--help' || a === '-h')) {
    console.log('Usage: npm run ops:temporal-ui-views\nPrints the links that save the ops views in the Temporal UI (TEMPORAL_UI_URL, TEMPORAL_NAMESPACE) and the line that sets their columns. See docs/operations.md.');
    return 0;
  }
  const { uiUrl, namespace } = loadConfig().temporal;
  console.log(`Saved views (open each link once in the browser you use for the Temporal UI; a second visit saves a second copy):\n`);
  for (const view of OPS_VIEWS) console.log(`  ${view.name}\n    ${view.query}\n    ${savedViewUrl(uiUrl, namespace, view)}\n`);
  console.log(`Columns (${OPS_COLUMNS.join(', ')}): on any Temporal UI page, open the browser's console (F12) and paste:\n`);
  console.log(`  ${columnsScript(namespace)}\n`);
  console.log('Then choose "Local" in the clock menu (top right): NextDeadline in your time zone.');
  return 0;
}

process.exitCode = main();
