/**
 * The names a small Ruby script uses — method calls (`.name`, `&.name`), constants, and keyword
 * arguments (`name:`) — so a test can hold each against the facts taken from Postal's source.
 * Comments and the literal parts of strings are left out (a route's description in a string is not a
 * call); the code inside `#{…}` interpolations is kept, because it runs.
 */
export interface RubyNames {
  methods: Set<string>;
  constants: Set<string>;
  keywords: Set<string>;
}

/** The script with comments removed and string contents blanked, interpolations kept as code. */
export function codeOnly(source: string): string {
  let out = '';
  let i = 0;
  const n = source.length;
  while (i < n) {
    const c = source[i]!;
    if (c === '#') {
      while (i < n && source[i] !== '\n') i++;
      continue;
    }
    if (c === '"' || c === "'") {
      const quote = c;
      out += ' ';
      i++;
      while (i < n && source[i] !== quote) {
        if (source[i] === '\\') {
          i += 2;
          continue;
        }
        if (quote === '"' && source[i] === '#' && source[i + 1] === '{') {
          // copy the interpolated code, braces balanced
          let depth = 1;
          i += 2;
          let code = '';
          while (i < n && depth > 0) {
            if (source[i] === '{') depth++;
            if (source[i] === '}') depth--;
            if (depth > 0) code += source[i];
            i++;
          }
          out += ` ${codeOnly(code)} `;
          continue;
        }
        i++;
      }
      i++;
      out += ' ';
      continue;
    }
    out += c;
    i++;
  }
  return out;
}

export function rubyNames(source: string): RubyNames {
  const code = codeOnly(source);
  const methods = new Set([...code.matchAll(/\.([a-z_][A-Za-z0-9_]*[!?=]?)/g)].map((m) => m[1]!));
  const constants = new Set([...code.matchAll(/(?<![A-Za-z0-9_:.])([A-Z][A-Za-z0-9_]*)/g)].map((m) => m[1]!));
  // `name:` followed by a space: a keyword argument or a symbol-keyed hash entry (a ternary's `a ? b : c` has a space before the colon)
  const keywords = new Set([...code.matchAll(/(?<![A-Za-z0-9_:])([a-z_][A-Za-z0-9_]*):\s/g)].map((m) => m[1]!));
  return { methods, constants, keywords };
}

/** Every name the script uses that the facts do not list, as "kind name" lines. */
export function unknownNames(source: string, known: ReadonlySet<string>): string[] {
  const names = rubyNames(source);
  const unknown: string[] = [];
  for (const name of names.methods) if (!known.has(name)) unknown.push(`method .${name}`);
  for (const name of names.constants) if (!known.has(name)) unknown.push(`constant ${name}`);
  for (const name of names.keywords) if (!known.has(name)) unknown.push(`attribute ${name}:`);
  return unknown.sort();
}
