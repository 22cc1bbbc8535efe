/**
 * examples/deploy is not Switchboard config: it is checked as plain YAML (every document
 * parses) plus the facts that matter (2 replicas, probes, Redis, secrets only by reference,
 * the Dockerfile's shape). The image build itself is not run here (no Docker engine).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type Document, parseAllDocuments } from 'yaml';
import { documentSchema } from '../../schema/config.js';

const ROOT = new URL('../../examples/deploy/', import.meta.url).pathname;

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? yamlFiles(join(dir, e.name)) : /\.ya?ml$/.test(e.name) ? [join(dir, e.name)] : [],
  );
}

// biome-ignore lint/suspicious/noExplicitAny: parsed Kubernetes manifests are walked ad hoc, key by key.
type Obj = Record<string, any>;
function load(file: string): Obj[] {
  const docs = parseAllDocuments(readFileSync(file, 'utf8'), { schema: 'core' });
  const list = Array.isArray(docs) ? docs : [docs];
  for (const d of list) expect(d.errors.map((e) => e.message), relative(ROOT, file)).toEqual([]);
  return list.map((d) => d.toJS() as Obj).filter((d) => d !== null);
}

const files = yamlFiles(ROOT);
const k8s = (variant: string) => load(join(ROOT, 'kubernetes', variant, 'switchboard.yaml'));
const redis = load(join(ROOT, 'kubernetes', 'redis.yaml'));
const SECRETISH = /(TOKEN|SECRET|KEY|PASSWORD)/i;

/** Strings that look like real credentials (API keys, bot tokens, signing secrets). */
const CREDENTIAL = /(sk-[A-Za-z0-9_-]{20,}|xox[bpa]-[A-Za-z0-9-]{10,}|whsec_[A-Za-z0-9+/=]{16,}|\d{6,}:[A-Za-z0-9_-]{30,}|ghp_[A-Za-z0-9]{20,})/;

function containers(deployment: Obj): Obj[] {
  return [...(deployment.spec.template.spec.initContainers ?? []), ...deployment.spec.template.spec.containers];
}

describe('examples/deploy YAML', () => {
  it('finds and parses every YAML file (multi-document)', () => {
    expect(files.map((f) => relative(ROOT, f)).sort()).toEqual([
      'docker-compose.yml',
      'github-actions/switchboard-validate.yml',
      'kubernetes/configmap/switchboard.yaml',
      'kubernetes/git-sync/switchboard.yaml',
      'kubernetes/redis.yaml',
      'prometheus/alerts.yaml',
    ]);
    for (const f of files) expect(load(f).length).toBeGreaterThan(0);
  });

  it('contains no literal credentials anywhere', () => {
    for (const f of [...files, join(ROOT, 'Dockerfile')]) expect(readFileSync(f, 'utf8'), relative(ROOT, f)).not.toMatch(CREDENTIAL);
  });

  for (const variant of ['configmap', 'git-sync']) {
    describe(`kubernetes/${variant}`, () => {
      const docs = k8s(variant);
      const deployment = docs.find((d) => d.kind === 'Deployment' && d.metadata.name === 'switchboard') as Obj;
      const app = deployment.spec.template.spec.containers.find((c: Obj) => c.name === 'switchboard') as Obj;

      it('runs 2 replicas with /healthz liveness and /readyz readiness on the container port', () => {
        expect(deployment.spec.replicas).toBe(2);
        expect(app.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
        expect(app.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });
        expect(app.ports).toEqual([{ name: 'http', containerPort: 3000 }]);
        const service = docs.find((d) => d.kind === 'Service' && d.metadata.name === 'switchboard') as Obj;
        expect(service.spec.selector).toEqual(deployment.spec.template.metadata.labels);
        expect(service.spec.ports[0].targetPort).toBe('http');
      });

      it('takes secrets only from Secrets, and points REDIS_URL at the Redis Service', () => {
        for (const c of containers(deployment)) {
          for (const e of c.env ?? []) {
            if (SECRETISH.test(e.name)) {
              expect(e.value, `${c.name} ${e.name}`).toBeUndefined();
              expect(e.valueFrom?.secretKeyRef?.name, `${c.name} ${e.name}`).toMatch(/^switchboard-/);
            }
          }
        }
        const env = Object.fromEntries((app.env as Obj[]).map((e) => [e.name, e]));
        expect(env.SWITCHBOARD_ADMIN_TOKEN.valueFrom.secretKeyRef).toEqual({ name: 'switchboard-secrets', key: 'admin-token' });
        expect(env.SWITCHBOARD_FILES_SECRET.valueFrom.secretKeyRef).toEqual({ name: 'switchboard-secrets', key: 'files-secret' });
        expect(app.envFrom).toEqual([{ secretRef: { name: 'switchboard-api-keys' } }]);
        const redisService = redis.find((d) => d.kind === 'Service') as Obj;
        expect(env.REDIS_URL.value).toBe(`redis://${redisService.metadata.name}:${redisService.spec.ports[0].port}`);
      });

      it('runs as non-root with a read-only root filesystem', () => {
        expect(deployment.spec.template.spec.securityContext.runAsNonRoot).toBe(true);
        expect(app.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true });
      });
    });
  }

  it('configmap variant mounts the ConfigMap at /config, and its documents are valid Switchboard config', () => {
    const docs = k8s('configmap');
    const deployment = docs.find((d) => d.kind === 'Deployment') as Obj;
    const app = deployment.spec.template.spec.containers[0] as Obj;
    expect(app.command).toBeUndefined(); // the image CMD already serves /config
    expect(app.volumeMounts).toContainEqual({ name: 'config', mountPath: '/config', readOnly: true });
    expect(deployment.spec.template.spec.volumes).toContainEqual({ name: 'config', configMap: { name: 'switchboard-config' } });
    const configMap = docs.find((d) => d.kind === 'ConfigMap' && d.metadata.name === 'switchboard-config') as Obj;
    const embedded = Object.values(configMap.data as Record<string, string>).flatMap((text) => parseAllDocuments(text, { schema: 'core' }) as Document[]);
    expect(embedded.map((d) => d.toJS().kind)).toEqual(['Integration', 'Integration', 'Bot']);
    for (const d of embedded) expect(documentSchema.safeParse(d.toJS()).success).toBe(true);
  });

  it('git-sync variant syncs into a shared volume and serves the linked checkout', () => {
    const deployment = k8s('git-sync').find((d) => d.kind === 'Deployment') as Obj;
    const spec = deployment.spec.template.spec;
    const sidecar = spec.containers.find((c: Obj) => c.name === 'git-sync') as Obj;
    const init = spec.initContainers.find((c: Obj) => c.name === 'git-sync-init') as Obj;
    const app = spec.containers.find((c: Obj) => c.name === 'switchboard') as Obj;
    expect(sidecar.image).toMatch(/^registry\.k8s\.io\/git-sync\/git-sync:v4\./);
    expect(init.args).toEqual(['--one-time']);
    const env = Object.fromEntries((sidecar.env as Obj[]).map((e) => [e.name, e.value]));
    expect(env.GITSYNC_ROOT).toBe('/git');
    expect(app.command).toEqual(['node', 'dist/runtime/cli.js', 'serve', '--config', `${env.GITSYNC_ROOT}/${env.GITSYNC_LINK}/integrations`, '--host', '0.0.0.0']);
    expect(app.volumeMounts).toContainEqual({ name: 'git', mountPath: '/git', readOnly: true });
    expect(sidecar.volumeMounts).toContainEqual({ name: 'git', mountPath: '/git' });
  });

  it('redis: a Deployment and a Service on 6379', () => {
    expect(redis.map((d) => d.kind)).toEqual(['Deployment', 'Service']);
    expect(redis[0]?.spec.template.spec.containers[0].ports).toEqual([{ name: 'redis', containerPort: 6379 }]);
  });

  it('redis: maxmemory below the container memory limit (noeviction without it grows until OOM-killed)', () => {
    const pod = redis[0]?.spec.template.spec as Obj;
    const container = pod.containers[0] as Obj;
    const args = container.args as string[];
    const arg = (name: string) => args[args.indexOf(name) + 1];
    expect(args).toContain('--maxmemory');
    const bytes = (v: string): number => {
      const m = /^(\d+)(mb|gb|Mi|Gi)$/.exec(v);
      expect(m, v).not.toBeNull();
      return Number(m![1]) * ({ mb: 1e6, gb: 1e9, Mi: 2 ** 20, Gi: 2 ** 30 } as Record<string, number>)[m![2]!]!;
    };
    expect(bytes(arg('--maxmemory')!)).toBeLessThan(0.8 * bytes(container.resources.limits.memory));
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    expect(container.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true });
  });

  it('every example names the same Switchboard image, tagged with the package version', () => {
    const version = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
    const images = new Set<string>();
    for (const variant of ['configmap', 'git-sync']) {
      for (const d of k8s(variant)) for (const c of d.kind === 'Deployment' ? containers(d) : []) if (!String(c.image).includes('git-sync')) images.add(c.image);
    }
    expect([...images]).toEqual([`registry.example.com/switchboard:${version}`]);
    const [compose] = load(join(ROOT, 'docker-compose.yml')) as [Obj];
    expect(compose.services.switchboard.image).toBe(`switchboard:${version}`);
    expect(readFileSync(join(ROOT, 'Dockerfile'), 'utf8')).toContain(`-t switchboard:${version} .`);
  });

  it('docker-compose: 2 replicas sharing Redis, secrets only as ${VAR} references', () => {
    const [compose] = load(join(ROOT, 'docker-compose.yml')) as [Obj];
    const sb = compose.services.switchboard;
    expect(sb.deploy.replicas).toBe(2);
    expect(sb.build).toEqual({ context: '../..', dockerfile: 'examples/deploy/Dockerfile' });
    expect(sb.environment.REDIS_URL).toBe('redis://redis:6379');
    expect(sb.volumes).toEqual(['../../integrations:/config:ro']);
    expect(compose.services.redis.image).toMatch(/^redis:/);
    // The public URL must be where users reach the replicas; this file publishes no fixed port.
    expect(sb.environment.SWITCHBOARD_PUBLIC_URL).toMatch(/^\$\{SWITCHBOARD_PUBLIC_URL:\?/);
    for (const name of ['OPENAI_API_KEY', 'ANTHROPIC_API_KEY', 'TELEGRAM_BOT_TOKEN', 'TELEGRAM_WEBHOOK_SECRET', 'SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET']) {
      expect(sb.environment[name], name).toBeDefined();
    }
    for (const [name, value] of Object.entries(sb.environment as Record<string, string>)) {
      if (SECRETISH.test(name)) expect(value, name).toMatch(/^\$\{[A-Z_]+(:[-?][^}]*)?\}$/);
    }
  });

  it('GitHub Actions: validates on pull requests with --format github', () => {
    const [workflow] = load(join(ROOT, 'github-actions', 'switchboard-validate.yml')) as [Obj];
    expect(workflow.on.pull_request).toBeDefined();
    const runs = (workflow.jobs.validate.steps as Obj[]).map((s) => s.run ?? '').join('\n');
    expect(runs).toContain('validate integrations --format github');
    // The published package at the runtime's version, not an image nobody has published.
    const version = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
    expect(runs).toContain(`npx --yes switchboard@${version} validate`);
    expect(readFileSync(join(ROOT, 'github-actions', 'switchboard-validate.yml'), 'utf8')).not.toMatch(/docker|ghcr\.io/);
  });
});

describe('examples/deploy/Dockerfile', () => {
  const text = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
  const lines = text.split('\n').filter((l) => !l.startsWith('#'));
  it('is multi-stage on node:24-slim, installs with npm ci, builds, and runs as non-root', () => {
    const froms = lines.filter((l) => l.startsWith('FROM '));
    expect(froms).toEqual(['FROM node:24-slim AS build', 'FROM node:24-slim']);
    expect(lines).toContain('RUN npm ci --no-audit --no-fund');
    expect(lines).toContain('RUN npm run build && npm prune --omit=dev');
    expect(lines).toContain('USER node');
    expect(lines.indexOf('USER node')).toBeGreaterThan(lines.indexOf('FROM node:24-slim'));
    expect(lines).toContain('EXPOSE 3000');
  });
  it('checks health on the port the runtime listens on, not a hard-coded 3000', () => {
    const health = lines.join('\n').match(/HEALTHCHECK[\s\S]*?CMD (\[.*\])/)?.[1];
    expect(health).toBeDefined();
    expect(health).toContain('process.env.PORT');
    expect(lines).toContainEqual(expect.stringMatching(/^ENV .*\bPORT=3000\b/));
  });
  it('has a .dockerignore at the build context that keeps node_modules, dist and .git out', () => {
    const ignore = readFileSync(new URL('../../.dockerignore', import.meta.url), 'utf8').split('\n').map((l) => l.trim());
    for (const p of ['node_modules', 'dist', '.git']) expect(ignore).toContain(p);
  });
  it('ends with the serve command', () => {
    const cmd = lines.filter((l) => l.startsWith('CMD ')).pop();
    expect(JSON.parse(cmd!.slice(4))).toEqual(['node', 'dist/runtime/cli.js', 'serve', '--config', '/config', '--host', '0.0.0.0']);
  });
  it('copies only files that exist in the repository', () => {
    const root = new URL('../../', import.meta.url).pathname;
    const copied = lines
      .filter((l) => l.startsWith('COPY ') && !l.includes('--from='))
      .flatMap((l) => l.split(/\s+/).slice(1, -1));
    expect(copied.length).toBeGreaterThan(5);
    for (const p of copied) expect(readdirSync(root), p).toContain(p.replace(/\/$/, ''));
  });
});
