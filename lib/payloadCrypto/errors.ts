// Errors of payload encryption. Their messages name keys and case references only: never a payload's
// content (they end up in worker logs and in the Temporal UI).

/** A payload of a crypto-shredded case: by design it can never be read again. */
export class DataKeyShreddedError extends Error {
  constructor(
    readonly scope: string,
    readonly shreddedAt: Date,
  ) {
    super(
      `The data key of ${describeScope(scope)} was shredded on ${shreddedAt.toISOString()} (npm run ops:shred): its Temporal payloads can no longer be decrypted, by design. ` +
        'Its audit trail and billing records remain in the Parcours database.',
    );
    this.name = 'DataKeyShreddedError';
  }
}

/** A payload names a data key the database does not have: another database, or a restore that lost keys. */
export class UnknownDataKeyError extends Error {
  constructor(readonly keyId: string) {
    super(
      `A payload is encrypted with data key ${keyId}, which this Parcours database does not have: check that DATABASE_URL is the database of this Temporal namespace ` +
        '(a database restored from a backup older than the case lacks its key).',
    );
    this.name = 'UnknownDataKeyError';
  }
}

/** A data key is wrapped by a key-encryption key that is not configured. */
export class UnknownKekError extends Error {
  constructor(
    readonly kekId: string,
    readonly keyId: string,
  ) {
    super(
      `Data key ${keyId} is wrapped by the key-encryption key "${kekId}", which is not in PARCOURS_KEKS: add it back ` +
        '(a retired key may only be removed after npm run ops:rewrap-keys has re-wrapped every data key with the active one).',
    );
    this.name = 'UnknownKekError';
  }
}

/** Authentication failed: the ciphertext, its key id or the wrapped key was altered, or the key is not the one used. */
export class PayloadDecryptionError extends Error {
  constructor(what: string) {
    super(`${what} failed authentication (AES-256-GCM): it was altered, or was encrypted with another key. Nothing was decrypted.`);
    this.name = 'PayloadDecryptionError';
  }
}

export function describeScope(scope: string): string {
  return scope.startsWith('case:') ? `case ${scope.slice('case:'.length)}` : `the ${scope} scope`;
}
