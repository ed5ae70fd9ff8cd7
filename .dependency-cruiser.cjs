/**
 * The layering, as rules (`npm run lint` runs them): who may import whom between the project's folders.
 * The README's "Layout" and docs/development.md say the same in words; these rules are what holds it.
 */
const PROJECT = '^(core|harness|world|provisioning|specs|scripts|e2e)/';

module.exports = {
  forbidden: [
    {
      name: 'core-imports-nothing-of-the-project',
      comment: 'core/ is the shared ground: it imports nothing of the project above it.',
      severity: 'error',
      from: { path: '^core/' },
      to: { path: PROJECT, pathNot: '^core/' },
    },
    {
      name: 'world-never-imports-the-harness',
      comment:
        'The world is a system apart, reached through protocols: it stands on core/ (and provisioning, to provision itself), never on harness/, specs/, scripts/ or e2e/.',
      severity: 'error',
      from: { path: '^world/' },
      to: { path: '^(harness|specs|scripts|e2e)/' },
    },
    {
      name: 'harness-reaches-the-world-only-through-the-embedded-target',
      comment:
        'Only harness/targets/embedded* starts the world; every other part of the harness reaches it through protocols, as it reaches a live server.',
      severity: 'error',
      from: { path: '^harness/', pathNot: '^harness/targets/embedded[^/]*[.]ts$' },
      to: { path: '^world/' },
    },
    {
      name: 'specs-stand-on-the-harness-and-core',
      comment: 'A spec knows what must hold, never how a target is reached: it imports harness/ and core/ only.',
      severity: 'error',
      from: { path: '^specs/' },
      to: { path: PROJECT, pathNot: '^(harness|core|specs)/' },
    },
    {
      name: 'provisioning-stands-on-core-only',
      comment: 'provisioning/ turns the deployment into deliverables with core/ only.',
      severity: 'error',
      from: { path: '^provisioning/' },
      to: { path: PROJECT, pathNot: '^(core|provisioning)/' },
    },
    {
      name: 'no-circular-files',
      comment: 'No import cycle between files.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-circular-folders',
      comment: 'No cycle between folders either (a file in a that imports b while a file in b imports a).',
      severity: 'error',
      scope: 'folder',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Production code only: a test may reach across the layers to set up what it tests.
    exclude: { path: ['^(node_modules|reports|artifacts|[.]stryker-tmp)', '[.]test[.]ts$'] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.mjs', '.js', '.cjs', '.json'] },
  },
};
