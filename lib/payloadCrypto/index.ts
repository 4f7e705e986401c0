// Per-case encryption of Temporal payloads, with crypto-shredding (docs/operations.md).
export { createPayloadCodec, dataKeyStore, EncryptionCodec, scopeOf, ENCRYPTED_ENCODING, KEY_ID_METADATA, COMPRESSION_METADATA, type PayloadCodecOptions } from './codec';
export { createDataConverter, dataConverterFor, dataConverterOf, decodeEncryptedPayloads, decodePayloadAt, failureMessage, FAILURE_CONVERTER_PATH } from './dataConverter';
export { DataKeyShreddedError, PayloadDecryptionError, UnknownDataKeyError, UnknownKekError } from './errors';
export { DEFAULT_DEK_CACHE_MAX, DEFAULT_DEK_CACHE_TTL_MS, devKeks, keksEnv, parseKeks, randomKeyConfig, type KeyConfig } from './keyConfig';
export { caseScope, DataKeyStore, SYSTEM_SCOPE, type RewrapResult } from './keyStore';
