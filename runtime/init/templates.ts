/**
 * The files `switchboard init` writes: a demo bot that needs no API key, the env contract and a
 * GitHub workflow that validates every pull request with annotations and keeps one comment with
 * `switchboard diff` up to date. The workflow installs Switchboard from npm by version, so it
 * works in a repository that holds only YAML.
 */
import { COMMENT_MARKER } from '../diff/render.js';

/** `integrations/demo.yaml`: an echo integration and a bot on the HTTP channel. */
export const demoYaml = `# yaml-language-server: $schema=../integrations.schema.json
#
# A demo that needs no API keys and no Redis: \`npx switchboard serve\`, then
#   curl -s localhost:3000/channels/http/demo \\
#     -H 'content-type: application/json' -d '{"user":{"id":"u1"},"text":"hello"}'
# answers {"content":"hello",...,"integration":"echo"}.
apiVersion: switchboard/v1
kind: Integration
name: echo
type: echo
---
apiVersion: switchboard/v1
kind: Bot
name: demo
displayName: Demo Bot
channels:
  http: {}
integrations:
  - name: echo
`;

/** `.env.example`: the names production must set (values stay out of git). */
export const envExample = `# Every \${VAR} your integrations/ files reference without a default must be listed here
# (NAME= or NAME; values are never read). CI checks it:
#   npx switchboard validate integrations --env-file .env.example
# Example, once an integration uses \${OPENAI_API_KEY}:
# OPENAI_API_KEY=
`;

/** `.github/workflows/switchboard.yml` for Switchboard `version`. */
export function workflowYaml(version: string): string {
  const sb = `npx --yes switchboard@${version}`;
  return `# Checks every pull request that touches the Switchboard config: validate with annotations,
# then one PR comment (created once, updated on later pushes) with what the change does.
name: switchboard

on:
  pull_request:
    paths:
      - integrations/**
      - .env.example
      - .github/workflows/switchboard.yml

permissions:
  contents: read
  pull-requests: write

concurrency:
  group: switchboard-\${{ github.event.pull_request.number }}
  cancel-in-progress: true

jobs:
  check:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          fetch-depth: 0
      - uses: actions/setup-node@v4
        with:
          node-version: 20
      - name: Validate
        run: ${sb} validate integrations --format github --strict --env-file .env.example
      - name: Diff
        id: diff
        if: always()
        run: ${sb} diff "origin/\${{ github.base_ref }}" HEAD --path integrations --format markdown > switchboard-diff.md
      - name: Comment
        if: always() && steps.diff.outcome != 'skipped'
        uses: actions/github-script@v7
        with:
          script: |
            const fs = require('fs');
            const marker = '${COMMENT_MARKER}';
            let body = fs.existsSync('switchboard-diff.md') ? fs.readFileSync('switchboard-diff.md', 'utf8') : '';
            if (!body.trim()) body = marker + '\\nswitchboard diff failed: see the workflow log.';
            if (!body.includes(marker)) body = marker + '\\n' + body;
            const { owner, repo } = context.repo;
            const issue_number = context.issue.number;
            const comments = await github.paginate(github.rest.issues.listComments, { owner, repo, issue_number, per_page: 100 });
            const mine = comments.find((c) => c.user.type === 'Bot' && c.body.includes(marker));
            if (mine) await github.rest.issues.updateComment({ owner, repo, comment_id: mine.id, body });
            else await github.rest.issues.createComment({ owner, repo, issue_number, body });
`;
}
