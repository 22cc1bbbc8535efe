/**
 * The ready-made ops files parse, and every metric their queries use is one Switchboard
 * exposes (the table in docs/observability.md, itself checked against /metrics).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { documentedMetrics } from '../helpers/observability-docs.js';

const deploy = join(import.meta.dirname, '..', '..', 'examples', 'deploy');
const METRIC = /\b((?:switchboard|process|nodejs)_[a-z0-9_]+)\b/g;

function metricsIn(expr: string): string[] {
  return [...expr.matchAll(METRIC)].map((m) => (m[1] as string).replace(/_(bucket|sum|count)$/, ''));
}

function checkKnown(exprs: string[], where: string): Set<string> {
  const known = documentedMetrics();
  const used = new Set<string>();
  for (const e of exprs) for (const name of metricsIn(e)) {
    expect(known.has(name), `${where} uses ${name}, which /metrics does not expose`).toBe(true);
    used.add(name);
  }
  return used;
}

describe('examples/deploy/prometheus/alerts.yaml', () => {
  const doc = parse(readFileSync(join(deploy, 'prometheus', 'alerts.yaml'), 'utf8')) as { groups: Array<{ name: string; rules: Array<{ alert: string; expr: string; for?: string; labels?: Record<string, string>; annotations?: Record<string, string> }> }> };

  it('is a rule file with the promised alerts, each with an expression, severity and summary', () => {
    const rules = doc.groups.flatMap((g) => g.rules);
    expect(rules.map((r) => r.alert)).toEqual(['SwitchboardConfigReloadFailing', 'SwitchboardReplicasOnDifferentRevisions', 'SwitchboardIntegrationErrorRateHigh', 'SwitchboardSampleRatioMismatch', 'SwitchboardDeliveryDeadLetters']);
    for (const r of rules) {
      expect(r.expr.trim(), r.alert).not.toBe('');
      expect(r.labels?.severity, r.alert).toBeTruthy();
      expect(r.annotations?.summary, r.alert).toBeTruthy();
      expect(r.for, r.alert).toMatch(/^\d+[smh]$/);
    }
  });

  it('uses only metrics that exist', () => {
    const used = checkKnown(doc.groups.flatMap((g) => g.rules.map((r) => r.expr)), 'alerts.yaml');
    for (const m of ['switchboard_config_last_reload_valid', 'switchboard_config_info', 'switchboard_webhook_attempts_total', 'switchboard_ab_srm_p_value']) expect(used).toContain(m);
  });
});

describe('examples/deploy/grafana/switchboard-dashboard.json', () => {
  const dash = JSON.parse(readFileSync(join(deploy, 'grafana', 'switchboard-dashboard.json'), 'utf8')) as {
    title: string;
    panels: Array<{ id: number; title: string; targets: Array<{ expr: string }> }>;
    templating: { list: Array<{ query: string }> };
  };

  it('is a dashboard whose panels all have queries', () => {
    expect(dash.title).toBe('Switchboard');
    expect(new Set(dash.panels.map((p) => p.id)).size).toBe(dash.panels.length);
    for (const p of dash.panels) expect(p.targets.length, p.title).toBeGreaterThan(0);
  });

  it('uses only metrics that exist', () => {
    const exprs = [...dash.panels.flatMap((p) => p.targets.map((t) => t.expr)), ...dash.templating.list.map((v) => v.query)];
    const used = checkKnown(exprs, 'switchboard-dashboard.json');
    expect(used.size).toBeGreaterThan(10);
  });
});
