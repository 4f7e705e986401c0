// Loaded by path (DataConverter.failureConverterPath) in the worker, the client and inside the workflow
// bundle: failure messages and stack traces go into an encoded payload, which the codec then encrypts
// (they can name what a patient sent). Imports @temporalio/common only: it runs in the workflow sandbox.
import { DefaultFailureConverter } from '@temporalio/common';

export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
