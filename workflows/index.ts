// Entry of the worker's workflow bundle: every workflow type it runs.
export { carePathway } from './carePathway';
