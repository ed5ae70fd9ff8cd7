// A stand-in for the MailGoat CLI, driven through the same argv, HOME and exit codes as the real one.
// What it prints follows MailGoat 1.2.0 as observed by running a build of its tag v1.2.0 against Postal 3.3.2:
// Postal's `data` pretty-printed with --json, `✗ <message>` on stderr without it, {"status":"error","message"}
// on stderr with it, exit 2 config / 3 network / 4 Postal. `inbox serve` is a real HTTP server that stores
// what Postal posts into this fake's state (one database per path), as 1.2.0's serve does into SQLite.
// `traits` switch on 1.2.0's defects one by one, so FN-06 can be shown to pass a good CLI and to name each:
//   ignoresPostalStatus     Postal's status is never read: its error `data` is printed, exit 0
//   inboxIdIsMessageId      `inbox serve` stores the payload's message_id as the entry's id, not Postal's numeric id
//   sendsIdAsString         `read` sends the id as a JSON string, which Postal 3.3.2 answers with HTTP 500
//   parentOwnsInboxOptions  `inbox list --json --db-path X` and `inbox serve --db-path X` ignore the options
//   ignoresEnvOverrides     MAILGOAT_* variables are read by no command (1.2.0); otherwise they override the file
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, join } from 'node:path';
import { loadState, saveState } from './state.mjs';

const INVALID_KEY = (token) => ({
  message: 'The API token provided in X-Server-API-Key was not valid.',
  token,
  code: 'InvalidServerAPIKey',
});
const NOT_FOUND = (id) => ({ message: 'No message found matching provided ID', id, code: 'MessageNotFound' });
const pretty = (value) => `${JSON.stringify(value, null, 2)}\n`;

let json = false;

function die(code, message) {
  process.stderr.write(json ? `${JSON.stringify({ status: 'error', message })}\n` : `✗ ${message}\n`);
  process.exit(code);
}

/** `--to a b --subject S --json` → { to: [a, b], subject: [S], json: [] } plus the positionals. */
function parseArgs(argv) {
  const options = {};
  const positionals = [];
  let current;
  for (const arg of argv) {
    if (arg.startsWith('--')) {
      current = arg.slice(2);
      options[current] ??= [];
      if (current === 'json' || current === 'unread') current = undefined;
    } else if (current && (options[current].length === 0 || current === 'to' || current === 'cc')) {
      options[current].push(arg);
      if (current !== 'to' && current !== 'cc') current = undefined;
    } else {
      positionals.push(arg);
      current = undefined;
    }
  }
  return { options, positionals };
}

function loadConfig(traits, state) {
  const file = join(process.env.HOME ?? '/nonexistent', '.mailgoat', 'config.json');
  let config;
  try {
    config = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    die(2, `Config file not found at ${file}.\nRun \`mailgoat config init\` to create one`);
  }
  state.configsSeen.push({
    fileMode: statSync(file).mode & 0o777,
    folderMode: statSync(dirname(file)).mode & 0o777,
    server: config.server,
    fromAddress: config.fromAddress,
  });
  const env = traits.ignoresEnvOverrides ? {} : process.env;
  const merged = {
    ...config,
    server: env.MAILGOAT_SERVER ?? config.server,
    fromAddress: env.MAILGOAT_EMAIL ?? config.fromAddress ?? config.email,
    api_key: env.MAILGOAT_API_KEY ?? config.api_key,
  };
  if (!merged.server || !merged.fromAddress || !merged.api_key)
    die(2, 'Configuration validation failed: server, fromAddress and api_key are required');
  // Checked before any request, as 1.2.0 does: a key Postal could never have issued never reaches it.
  if (merged.api_key.length < 10) die(2, 'Configuration validation failed: Invalid API key: API key must be at least 10 characters');
  if (!/^[A-Za-z0-9_-]+$/.test(merged.api_key))
    die(2, 'Configuration validation failed: Invalid API key: API key contains invalid characters');
  state.keysSeen.push(merged.api_key);
  return merged;
}

/** What reaching Postal takes: the configured server must be the fake Postal's, and its CA trusted (NODE_EXTRA_CA_CERTS). */
function connect(state, config) {
  const server = /^https?:\/\//.test(config.server) ? config.server : `https://${config.server}`;
  if (server.replace(/\/+$/, '') !== state.serverUrl.replace(/\/+$/, ''))
    die(3, `Network error: cannot reach ${server} (getaddrinfo ENOTFOUND)`);
  if (state.caPem) {
    let trusted = '';
    try {
      trusted = readFileSync(process.env.NODE_EXTRA_CA_CERTS ?? '/nonexistent', 'utf8');
    } catch {
      // Not given: the chain cannot be verified.
    }
    if (!trusted.includes(state.caPem.trim())) die(3, `Network error: self-signed certificate in certificate chain (${server})`);
  }
}

/** Postal answers HTTP 200 with a status field; what the CLI does with a non-success status is the point. */
function postalError(traits, state, data, plainOutput) {
  saveState(state);
  if (traits.ignoresPostalStatus) {
    if (json) process.stdout.write(pretty(data));
    else if (plainOutput.stdout) process.stdout.write(plainOutput.stdout);
    if (!json && plainOutput.stderr) {
      process.stderr.write(plainOutput.stderr);
      process.exit(plainOutput.exit);
    }
    process.exit(0);
  }
  die(data.code === 'InvalidServerAPIKey' ? 2 : 4, `${data.code}: ${data.message}`);
}

// Without --json, 1.2.0's send counts Object.keys(data.messages) of an error object and crashes; read prints an empty record.
const SEND_CRASH = { stderr: '✗ Cannot convert undefined or null to object\n', exit: 1 };
const READ_EMPTY = { stdout: 'Message Details\n\n' };

function send(traits, state, config, options) {
  connect(state, config);
  if (!state.validKeys.includes(config.api_key)) return postalError(traits, state, INVALID_KEY(config.api_key), SEND_CRASH);
  const to = options.to ?? [];
  if (to.length === 0 || !options.subject?.[0]) die(1, 'send needs --to and --subject');
  const host = state.serverUrl.replace(/^https?:\/\//, '');
  const messageId = `${randomUUID()}@rp.${host}`;
  const messages = {};
  for (const rcpt of to) {
    const id = state.nextId++;
    const token = randomBytes(6).toString('hex');
    state.messages.push({
      id,
      token,
      messageId,
      from: options.from?.[0] ?? config.fromAddress,
      to: [rcpt],
      subject: options.subject[0],
      body: options.body?.[0] ?? '',
      timestamp: new Date().toISOString(),
      read: false,
      delivered: !traits.neverDelivers,
    });
    messages[rcpt] = { id, token };
  }
  saveState(state);
  if (json) process.stdout.write(pretty({ message_id: messageId, messages }));
  else process.stdout.write(`✓ Message sent successfully\n  Message ID: ${messageId}\n  Recipients: ${to.length}\n`);
}

const defaultDb = () => join(process.env.HOME ?? '/nonexistent', '.mailgoat', 'inbox', 'messages.db');

/** The listing of one database: what this fake's `inbox serve` stored there. */
function inbox(traits, state, options, { honoursOptions }) {
  const dbPath = honoursOptions ? (options['db-path']?.[0] ?? defaultDb()) : defaultDb();
  const asJson = honoursOptions && options.json !== undefined;
  const entries = state.databases?.[dbPath] ?? [];
  saveState(state);
  if (asJson) process.stdout.write(pretty(entries));
  else if (entries.length === 0) process.stdout.write('No messages found in local cache.\n');
  else
    for (const e of entries)
      process.stdout.write(`│ ${e.id} │ ${e.from} │ ${e.to.join(', ')} │ ${e.subject} │ ${e.read ? 'yes' : 'no'} │\n`);
}

/** `inbox serve`: Postal's Hash POSTs stored as entries (1.2.0 verifies no signature), answered 200 {success, id}. */
function serve(traits, options) {
  const host = options.host?.[0] ?? '127.0.0.1';
  const port = Number(options.port?.[0] ?? '3000');
  const path = options.path?.[0] ?? '/webhooks/postal';
  const dbPath = traits.parentOwnsInboxOptions ? defaultDb() : (options['db-path']?.[0] ?? defaultDb());
  const server = createServer((req, res) => {
    if (req.method !== 'POST' || req.url !== path) return void res.writeHead(404).end('Not found');
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      const payload = JSON.parse(body || '{}');
      const id = String(traits.inboxIdIsMessageId ? (payload.message_id ?? payload.id) : payload.id);
      const state = loadState();
      state.databases ??= {};
      const entries = (state.databases[dbPath] ??= []);
      entries.push({
        id,
        from: payload.mail_from,
        to: [payload.rcpt_to],
        subject: payload.subject,
        snippet: payload.plain_body,
        timestamp: new Date(payload.timestamp * 1000).toISOString(),
        read: false,
      });
      saveState(state);
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ success: true, id }));
    });
  });
  server.listen(port, host, () => process.stdout.write(`Webhook inbox server started\n  URL: http://${host}:${port}${path}\n`));
  server.on('error', (error) => die(1, `inbox serve: ${error.code ?? error.message}`));
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
}

// 1.2.0 retries a 5xx three times, then prints its ServerError and exits 4.
const SERVER_ERROR = (ref) =>
  `Get message ${ref} (after 3 attempts): Postal server error (HTTP 500). The server may be experiencing issues.\nTry again in a few minutes.`;

function read(traits, state, config, ref) {
  connect(state, config);
  if (!state.validKeys.includes(config.api_key)) return postalError(traits, state, INVALID_KEY(config.api_key), READ_EMPTY);
  // Postal 3.3.2 looks up an Integer id only: any string — a Message-ID, even "4711" — raises (HTTP 500).
  const asNumber = !traits.sendsIdAsString && /^\d+$/.test(ref ?? '');
  if (!asNumber) die(4, SERVER_ERROR(ref));
  const message = state.messages.find((m) => m.id === Number(ref));
  if (!message) return postalError(traits, state, NOT_FOUND(Number(ref)), READ_EMPTY);
  message.read = true;
  saveState(state);
  // The whole MessageDetails, as 1.2.0 prints it: its `status` expansion is an object, not Postal's envelope status.
  const shown = {
    id: message.id,
    token: message.token,
    status: { status: 'Sent', last_delivery_attempt: Date.now() / 1000, held: false, hold_expiry: null },
    details: {
      rcpt_to: message.to[0],
      mail_from: message.from,
      subject: message.subject,
      message_id: message.messageId,
      timestamp: Date.parse(message.timestamp) / 1000,
      direction: 'incoming',
      size: '512',
      bounce: false,
      bounce_for_id: 0,
    },
    inspection: { inspected: true, spam: false, spam_score: 0.4, threat: false },
    plain_body: `${message.body}\n`,
  };
  if (json) process.stdout.write(pretty(shown));
  else
    process.stdout.write(
      `Message Details\n\nMessage ID: ${message.messageId}\nFrom: ${message.from}\nSubject: ${message.subject}\n\nBody:\n${message.body}\n`,
    );
}

export function main(traits = {}) {
  const [command, ...rest] = process.argv.slice(2);
  const { options, positionals } = parseArgs(rest);
  json = options.json !== undefined;
  const state = loadState();
  if (traits.hangsOn === command) {
    setInterval(() => {}, 60_000);
    return;
  }
  if (command === 'inbox') {
    // `inbox list …` (documented), `inbox --json --db-path X` (the parent's own listing), or `inbox serve`.
    const sub = positionals[0];
    if (sub === 'serve') return serve(traits, options);
    if (sub !== undefined && sub !== 'list') die(1, `unknown inbox command: ${sub}`);
    return inbox(traits, state, options, { honoursOptions: sub === undefined || !traits.parentOwnsInboxOptions });
  }
  const config = loadConfig(traits, state);
  if (command === 'send') return send(traits, state, config, options);
  if (command === 'read') return read(traits, state, config, positionals[0]);
  die(1, `unknown command: ${command ?? '(none)'}`);
}
