// Request and response schemas of /auth.
import { LANGUAGES } from '../../workflows/definitions';
import { ACCOUNT_KINDS, STAFF_ROLES } from '../policy';
import { email, name, z } from './common';
import { fieldMessages, schemaMessage } from './fieldMessages';

export const password = z
  .string()
  .min(12, schemaMessage(fieldMessages.atLeastCharacters({ min: 12 })))
  .max(200, schemaMessage(fieldMessages.atMostCharacters({ max: 200 })))
  .openapi({ description: 'At least 12 characters; a passphrase is ideal.' });

export const registerBody = z
  .strictObject({
    email,
    password,
    name,
    kind: z.enum(['patient', 'referrer']).openapi({ description: 'A patient, or a referring doctor acting for patients.' }),
    language: z.enum(LANGUAGES).default('en'),
  })
  .openapi('Register');

export const loginBody = z.strictObject({ email, password: z.string().min(1).max(200) }).openapi('Login');
export const emailOnlyBody = z.strictObject({ email }).openapi('EmailOnly');
export const refreshBody = z.strictObject({ refreshToken: z.string().min(20).max(200) }).openapi('Refresh');
export const linkToken = z.string().min(20).max(2000);
export const setPasswordBody = z.strictObject({ token: linkToken, password }).openapi('SetPassword');
export const verifyEmailQuery = z.strictObject({ token: linkToken });

export const accepted = z.object({ message: z.string() }).openapi('Accepted');
export const account = z
  .object({
    id: z.string(),
    email: z.string(),
    name: z.string(),
    kind: z.enum(ACCOUNT_KINDS),
    role: z.enum(STAFF_ROLES).nullable(),
    language: z.enum(LANGUAGES),
  })
  .openapi('Account');
export const sessionTokens = z
  .object({ accessToken: z.string(), refreshToken: z.string(), tokenType: z.literal('Bearer'), expiresIn: z.number().int(), user: account })
  .openapi('SessionTokens');
