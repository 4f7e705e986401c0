// The language of an answer: what the caller asks for in Accept-Language (the portal sends its page
// language), French or English, else English. Error messages, `waitingFor` and the timeline follow it.
import type { Request, Response } from 'express';
import { LANGUAGES, type Language } from '../workflows/definitions';

export function responseLanguage(req: Request): Language {
  if (!req.get('Accept-Language')) return 'en';
  const accepted = req.acceptsLanguages(...LANGUAGES);
  return accepted === 'fr' || accepted === 'en' ? accepted : 'en';
}

/** The language of this answer, marked on it: Content-Language, and Vary: Accept-Language for caches. */
export function answerLanguage(req: Request, res: Response): Language {
  const lang = responseLanguage(req);
  res.setHeader('Content-Language', lang);
  res.vary('Accept-Language');
  return lang;
}
