// /auth: register, verify email, sign in, refresh, sign out, set a password; /me.
import type { Request, RequestHandler, Response } from 'express';
import type { Localized } from '../../workflows/definitions';
import { requirePrincipal } from '../auth/principal';
import type { Accounts } from '../auth/accounts';
import { errorMessages } from '../errorMessages';
import { parseOr400, requestId } from '../errors';
import { answerLanguage } from '../language';
import { json, jsonBody, type ApiRoutes } from '../routing';
import { accepted, account, emailOnlyBody, loginBody, refreshBody, registerBody, sessionTokens, setPasswordBody, verifyEmailQuery } from '../schemas/auth';
import { z } from '../schemas/common';

/** A 202 whose message, in the caller's language, says the same whether the address has an account or not. */
function acceptedIn(req: Request, res: Response, said: Localized): void {
  const lang = answerLanguage(req, res);
  res.status(202).json({ message: said[lang] });
}

export function registerAuthRoutes(api: ApiRoutes, accounts: Accounts, authLimit: RequestHandler): void {
  const tag = 'Accounts';
  api.add({
    method: 'post', path: '/auth/register', tag, access: 'public', before: [authLimit],
    summary: 'Register a patient or referring-doctor account; a verification link is emailed',
    request: jsonBody(registerBody),
    responses: { 202: json(accepted, 'Registered, unless the address already has an account (same answer)') },
    handler: async (req, res) => {
      await accounts.register(parseOr400(registerBody, req.body, 'registration'));
      acceptedIn(req, res, errorMessages.register_accepted());
    },
  });
  api.add({
    method: 'get', path: '/auth/verify-email', tag, access: 'public',
    summary: 'Confirm an email address from the emailed link',
    request: { query: verifyEmailQuery },
    responses: { 200: json(z.object({ verified: z.literal(true) }), 'Address confirmed: you can sign in') },
    handler: async (req, res) => {
      await accounts.verifyEmail(parseOr400(verifyEmailQuery, req.query, 'link').token);
      res.json({ verified: true });
    },
  });
  api.add({
    method: 'post', path: '/auth/verify-email/resend', tag, access: 'public', before: [authLimit],
    summary: 'Send a new confirmation link',
    request: jsonBody(emailOnlyBody),
    responses: { 202: json(accepted, 'Sent if the account exists and is not yet confirmed') },
    handler: async (req, res) => {
      await accounts.resendVerification(parseOr400(emailOnlyBody, req.body, 'request').email);
      acceptedIn(req, res, errorMessages.verification_resend_accepted());
    },
  });
  api.add({
    method: 'post', path: '/auth/login', tag, access: 'public', before: [authLimit],
    summary: 'Sign in: a short-lived access token and a refresh token',
    request: jsonBody(loginBody),
    responses: { 200: json(sessionTokens, 'Signed in'), 401: json(z.unknown(), 'Wrong email or password'), 403: json(z.unknown(), 'Email not confirmed yet') },
    handler: async (req, res) => {
      const { email, password } = parseOr400(loginBody, req.body, 'sign-in');
      res.json(await accounts.login(email, password, requestId(req)));
    },
  });
  api.add({
    method: 'post', path: '/auth/refresh', tag, access: 'public', before: [authLimit],
    summary: 'New tokens for a refresh token (which stops working)',
    request: jsonBody(refreshBody),
    responses: { 200: json(sessionTokens, 'New tokens'), 401: json(z.unknown(), 'Invalid, used or expired refresh token') },
    handler: async (req, res) => {
      res.json(await accounts.refresh(parseOr400(refreshBody, req.body, 'request').refreshToken));
    },
  });
  api.add({
    method: 'post', path: '/auth/logout', tag, access: 'signed_in', action: 'self',
    summary: 'Sign out: the session and its tokens stop working',
    responses: { 204: { description: 'Signed out' } },
    handler: async (req, res) => {
      await accounts.logout(requirePrincipal(req), requestId(req));
      res.status(204).end();
    },
  });
  api.add({
    method: 'post', path: '/auth/password/forgot', tag, access: 'public', before: [authLimit],
    summary: 'Email a link to set a new password',
    request: jsonBody(emailOnlyBody),
    responses: { 202: json(accepted, 'Sent if the account exists (same answer)') },
    handler: async (req, res) => {
      await accounts.forgotPassword(parseOr400(emailOnlyBody, req.body, 'request').email);
      acceptedIn(req, res, errorMessages.password_link_accepted());
    },
  });
  api.add({
    method: 'post', path: '/auth/password/set', tag, access: 'public', before: [authLimit],
    summary: 'Set a password from an emailed link (also how new staff set their first password)',
    request: jsonBody(setPasswordBody),
    responses: { 204: { description: 'Password set; every open session was signed out' } },
    handler: async (req, res) => {
      const { token, password } = parseOr400(setPasswordBody, req.body, 'request');
      await accounts.setPassword(token, password);
      res.status(204).end();
    },
  });
  api.add({
    method: 'get', path: '/me', tag, access: 'signed_in', action: 'self',
    summary: 'The signed-in account',
    responses: { 200: json(account, 'You') },
    handler: async (req, res) => {
      res.json(await accounts.me(requirePrincipal(req).userId));
    },
  });
}
