// A stand-in for the MailGoat CLI, driven through the same argv, HOME and exit codes as the real one
// (see shared/reference/mailgoat.md). `traits` switch on MailGoat 1.2.0's known bugs one by one,
// so the harness's FN-06 control can be shown to pass a good CLI and fail each defect.
import { randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { inboxEntries, loadState, saveState } from './state.mjs';

const API_KEY_ERROR = { code: 'InvalidServerAPIKey', message: 'The API token provided in X-Server-API-Key was not valid.' };

function die(code, message) {
  process.stderr.write(`Error: ${message}\n`);
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

function loadConfig(state) {
  const file = join(process.env.HOME ?? '/nonexistent', '.mailgoat', 'config.json');
  let config;
  try {
    config = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    die(2, `cannot read config ${file}: ${error.code ?? error.message}`);
  }
  state.configsSeen.push({
    fileMode: statSync(file).mode & 0o777,
    folderMode: statSync(dirname(file)).mode & 0o777,
    server: config.server,
    fromAddress: config.fromAddress,
  });
  const merged = {
    ...config,
    server: process.env.MAILGOAT_SERVER ?? config.server,
    fromAddress: process.env.MAILGOAT_FROM_ADDRESS ?? config.fromAddress,
    api_key: process.env.MAILGOAT_API_KEY ?? config.api_key,
  };
  if (!merged.server || !merged.fromAddress || !merged.api_key) die(2, 'config needs server, fromAddress and api_key');
  const server = /^https?:\/\//.test(merged.server) ? merged.server : `https://${merged.server}`;
  if (server.replace(/\/+$/, '') !== state.serverUrl.replace(/\/+$/, '')) die(3, `cannot connect to ${server}`);
  state.keysSeen.push(merged.api_key);
  return merged;
}

/** Postal answers HTTP 200 with a status field; what the CLI does with a non-success status is the point. */
function postalError(traits, state, config, answer) {
  saveState(state);
  if (traits.ignoresPostalStatus) {
    process.stdout.write(`${JSON.stringify(answer)}\n`);
    process.exit(0);
  }
  die(4, `${answer.data.code}: ${answer.data.message}`);
}

function send(traits, state, config, options) {
  if (!state.validKeys.includes(config.api_key)) {
    return postalError(traits, state, config, { status: 'error', time: 0.01, flags: {}, data: { ...API_KEY_ERROR, token: config.api_key } });
  }
  const to = options.to ?? [];
  if (to.length === 0 || !options.subject?.[0]) die(1, 'send needs --to and --subject');
  const messageId = `${randomBytes(8).toString('hex')}@rp.${state.serverUrl.replace(/^https?:\/\//, '')}`;
  const messages = {};
  for (const rcpt of to) {
    const id = state.nextId++;
    const token = randomBytes(6).toString('hex');
    state.messages.push({
      id,
      messageId: `<${messageId}>`,
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
  if (options.json) process.stdout.write(`${JSON.stringify({ message_id: messageId, messages })}\n`);
  else process.stdout.write(`Sent: ${messageId}\n`);
}

function inboxList(traits, state, config, options) {
  const entries = inboxEntries(state, config.fromAddress, (m) => (traits.inboxIdIsMessageId ? m.messageId : m.id));
  saveState(state);
  if (options.json) process.stdout.write(`${JSON.stringify(entries)}\n`);
  else for (const e of entries) process.stdout.write(`${e.id}\t${e.from}\t${e.subject}\n`);
}

function read(traits, state, config, options, ref) {
  if (!state.validKeys.includes(config.api_key)) {
    return postalError(traits, state, config, { status: 'error', time: 0.01, flags: {}, data: { ...API_KEY_ERROR, token: config.api_key } });
  }
  // Postal's messages/message takes the numeric id only, whatever the CLI was given.
  const message = /^\d+$/.test(ref ?? '') ? state.messages.find((m) => m.id === Number(ref)) : undefined;
  if (!message) {
    return postalError(traits, state, config, { status: 'error', time: 0.01, flags: {}, data: { code: 'MessageNotFound', message: `No message found matching provided ID: ${ref}`, id: ref } });
  }
  message.read = true;
  saveState(state);
  const details = { message_id: message.messageId, rcpt_to: message.to[0], mail_from: message.from, subject: message.subject, timestamp: Date.parse(message.timestamp) / 1000 };
  // MailGoat's formatter prints Postal's MessageDetails whole; its `status` expansion is an object, not Postal's envelope status.
  const shown = traits.printsStatusExpansion
    ? { id: message.id, token: 'a1b2c3d4e5f6', status: { status: 'Sent', last_delivery_attempt: Date.now() / 1000, held: false, hold_expiry: null }, details, inspection: { inspected: true, spam: false, spam_score: 0.4, threat: false }, plain_body: message.body }
    : { id: message.id, details, plain_body: message.body };
  if (options.json) process.stdout.write(`${JSON.stringify(shown)}\n`);
  else process.stdout.write(`From: ${message.from}\nSubject: ${message.subject}\n\n${message.body}\n`);
}

export function main(traits = {}) {
  const [command, ...rest] = process.argv.slice(2);
  const state = loadState();
  const config = loadConfig(state);
  const { options, positionals } = parseArgs(rest);
  if (traits.hangsOn === command) {
    setInterval(() => {}, 60_000);
    return;
  }
  if (command === 'send') return send(traits, state, config, options);
  if (command === 'inbox' && positionals[0] === 'list') return inboxList(traits, state, config, options);
  if (command === 'read') return read(traits, state, config, options, positionals[0]);
  die(1, `unknown command: ${command ?? '(none)'}`);
}
