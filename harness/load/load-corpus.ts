/**
 * Load that looks like the agents' mail: names, subjects, bodies and attachments from @faker-js/faker,
 * seeded so a run is reproducible (message i of seed s is always the same message, whatever order the
 * load sends it in). Sizes follow a fixed mix of classes, stated in the report; every message carries the
 * run token in its subject and body, so the harness finds it and never confuses runs.
 */
import { Faker, base, en } from '@faker-js/faker';

export interface SizeClass {
  name: string;
  /** share of the messages, 0–1; the shares add up to 1 */
  weight: number;
  /** body size range in bytes */
  bodyBytes: [number, number];
  /** attachment size range in bytes; absent: no attachment */
  attachmentBytes?: [number, number];
}

/** The mix: mostly short notes between agents, some reports, one in ten with a file attached. */
export const SIZE_CLASSES: readonly SizeClass[] = [
  { name: 'note', weight: 0.4, bodyBytes: [200, 1_500] },
  { name: 'message', weight: 0.35, bodyBytes: [1_500, 8_000] },
  { name: 'report', weight: 0.15, bodyBytes: [8_000, 40_000] },
  { name: 'with attachment', weight: 0.1, bodyBytes: [500, 3_000], attachmentBytes: [20_000, 200_000] },
];

export interface LoadAttachment {
  filename: string;
  contentType: string;
  content: Buffer;
}

export interface LoadMessage {
  index: number;
  sizeClass: string;
  from: string;
  to: string;
  subject: string;
  text: string;
  attachments: LoadAttachment[];
  /** body plus attachments, before MIME encoding */
  bytes: number;
}

export interface CorpusOptions {
  seed: number;
  runToken: string;
  /** senders, picked in turn */
  from: string[];
  /** recipients, picked in turn (spread over inboxes like the agents' own mail) */
  to: string[];
  classes?: readonly SizeClass[];
}

const ATTACHMENT_TYPES = [
  { ext: 'pdf', type: 'application/pdf' },
  { ext: 'csv', type: 'text/csv' },
  { ext: 'png', type: 'image/png' },
  { ext: 'json', type: 'application/json' },
] as const;

export function checkClasses(classes: readonly SizeClass[]): void {
  const total = classes.reduce((sum, c) => sum + c.weight, 0);
  if (classes.length === 0 || Math.abs(total - 1) > 1e-9) throw new RangeError(`size class weights must add up to 1 (got ${total})`);
  for (const c of classes) {
    if (!(c.weight > 0) || c.bodyBytes[0] > c.bodyBytes[1] || (c.attachmentBytes && c.attachmentBytes[0] > c.attachmentBytes[1]))
      throw new RangeError(`size class ${c.name} is malformed`);
  }
}

export function createLoadCorpus(options: CorpusOptions): { message(index: number): LoadMessage } {
  const classes = options.classes ?? SIZE_CLASSES;
  checkClasses(classes);
  if (options.from.length === 0 || options.to.length === 0) throw new RangeError('a corpus needs at least one sender and one recipient');
  const faker = new Faker({ locale: [en, base] });
  return {
    message(index) {
      // One seed per message: reproducible one by one, whatever order the load sends them in.
      faker.seed([options.seed, index]);
      const sizeClass = faker.helpers.weightedArrayElement(classes.map((c) => ({ weight: c.weight, value: c })));
      const sender = faker.person.fullName();
      const recipient = faker.person.firstName();
      const topic = faker.company.catchPhrase();
      // The index keeps every subject unique: the harness matches arrivals to sends by subject.
      const subject = `[postal-qa ${options.runToken}] ${faker.helpers.arrayElement(['Re: ', 'Fwd: ', '', '', ''])}${topic} (#${index})`;
      const target = faker.number.int({ min: sizeClass.bodyBytes[0], max: sizeClass.bodyBytes[1] });
      const head = `Hi ${recipient},\n\n`;
      const tail = `\n\nBest,\n${sender}\n--\nRun token: ${options.runToken}\n`;
      const paragraphs: string[] = [];
      let length = head.length + tail.length;
      // Up to eight fresh paragraphs, then the same ones again in a shuffled order: a long report reads
      // like one, and generating 40 KB of lorem per message would cost the load generator more than the sending.
      while (length < target) {
        const paragraph =
          paragraphs.length < 8 ? faker.lorem.paragraph({ min: 2, max: 6 }) : faker.helpers.arrayElement(paragraphs.slice(0, 8));
        paragraphs.push(paragraph);
        length += paragraph.length + 2;
      }
      const text = `${head}${paragraphs.join('\n\n')}${tail}`;
      const attachments: LoadAttachment[] = [];
      if (sizeClass.attachmentBytes) {
        const kind = faker.helpers.arrayElement(ATTACHMENT_TYPES);
        const size = faker.number.int({ min: sizeClass.attachmentBytes[0], max: sizeClass.attachmentBytes[1] });
        // A seeded 1 KB block repeated to size: the bytes are reproducible and cost nothing to make.
        const block = Buffer.from(faker.string.alphanumeric(1024));
        const content = Buffer.alloc(size);
        for (let at = 0; at < size; at += block.length) block.copy(content, at, 0, Math.min(block.length, size - at));
        attachments.push({ filename: `${faker.system.fileName({ extensionCount: 0 })}.${kind.ext}`, contentType: kind.type, content });
      }
      return {
        index,
        sizeClass: sizeClass.name,
        from: options.from[index % options.from.length]!,
        to: options.to[index % options.to.length]!,
        subject,
        text,
        attachments,
        bytes: Buffer.byteLength(text) + attachments.reduce((n, a) => n + a.content.length, 0),
      };
    },
  };
}

export interface SentDistribution {
  messages: number;
  byClass: Array<{ name: string; count: number; share: number }>;
  withAttachments: number;
  bytes: { p50: number; p95: number; max: number; total: number };
}

/** What was actually sent, for the report (the configured mix is SIZE_CLASSES). */
export function describeSent(
  messages: Array<Pick<LoadMessage, 'sizeClass' | 'bytes' | 'attachments'>>,
  classes: readonly SizeClass[] = SIZE_CLASSES,
): SentDistribution {
  const sizes = messages.map((m) => m.bytes).sort((a, b) => a - b);
  const at = (p: number): number => (sizes.length ? sizes[Math.ceil((p / 100) * sizes.length) - 1]! : 0);
  return {
    messages: messages.length,
    byClass: classes.map((c) => {
      const count = messages.filter((m) => m.sizeClass === c.name).length;
      return { name: c.name, count, share: messages.length ? count / messages.length : 0 };
    }),
    withAttachments: messages.filter((m) => m.attachments.length > 0).length,
    bytes: { p50: at(50), p95: at(95), max: sizes.at(-1) ?? 0, total: sizes.reduce((a, b) => a + b, 0) },
  };
}

/** One line per class, for the report: the mix the load was drawn from. */
export function describeClasses(classes: readonly SizeClass[] = SIZE_CLASSES): string[] {
  const kb = (n: number): string => `${Math.round(n / 100) / 10} KB`;
  return classes.map(
    (c) =>
      `${c.name}: ${Math.round(c.weight * 100)} %, body ${kb(c.bodyBytes[0])}–${kb(c.bodyBytes[1])}${c.attachmentBytes ? `, one attachment ${kb(c.attachmentBytes[0])}–${kb(c.attachmentBytes[1])}` : ''}`,
  );
}
