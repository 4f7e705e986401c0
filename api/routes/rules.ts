// GET /rules and GET /rules/{version} (staff): the rules a new case gets now, and every version
// published before, so staff can tell why two cases of the same kind show different fees or lists.
import { errorMessages } from '../errorMessages';
import { ApiError, parseOr400 } from '../errors';
import { requireAllowed } from '../auth/principal';
import { json, type ApiRoutes } from '../routing';
import { z } from '../schemas/common';
import { rulesHistory, rulesVersion, rulesVersionParam } from '../schemas/rules';
import { parisDay, type RulesRegistry } from '../../lib/rules';

export interface RulesRouteDeps {
  rules: RulesRegistry;
}

export function registerRulesRoutes(api: ApiRoutes, deps: RulesRouteDeps): void {
  api.add({
    method: 'get', path: '/rules', tag: 'Rules', access: 'signed_in', action: 'rules.read',
    summary: 'The rules versions (staff): the one a new case gets now and every one published, oldest first',
    responses: { 200: json(rulesHistory, 'The version in force and the history') },
    handler: (req, res) => {
      requireAllowed(req, 'rules.read');
      const now = new Date();
      const inForce = deps.rules.inForce(now);
      const today = parisDay(now);
      res.json({
        inForce: inForce.id,
        versions: deps.rules.all().map((v) => ({ id: v.id, effectiveFrom: v.effectiveFrom, summary: v.summary, inForce: v.id === inForce.id, future: v.effectiveFrom > today })),
      });
    },
  });

  api.add({
    method: 'get', path: '/rules/:version', tag: 'Rules', access: 'signed_in', action: 'rules.read',
    summary: 'One rules version in full (staff): fees, tariffs, checklists, coverage and visa rules, stay settings, timings',
    request: { params: rulesVersionParam },
    responses: { 200: json(rulesVersion, 'The version as published'), 404: json(z.unknown(), 'No such version') },
    handler: (req, res) => {
      requireAllowed(req, 'rules.read');
      const { version } = parseOr400(rulesVersionParam, req.params, 'rules version');
      const rules = deps.rules.byId(version);
      if (!rules) throw new ApiError(404, 'not_found', errorMessages.rules_version_not_found({ version }));
      res.json(rules);
    },
  });
}
