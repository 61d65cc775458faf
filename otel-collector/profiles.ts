/**
 * The one reader of otel-collector/profiles.yaml: which collector config files a deployment
 * loads, in merge order. A deployment is a profile plus the stand-in overlays of the vendors
 * without credentials (the manifest's header explains both).
 *
 * Also a CLI (Node 24 runs this file directly):
 *   node otel-collector/profiles.ts args <profile|default> [--standins honeycomb,aws|all|none] [--root DIR]
 *   node otel-collector/profiles.ts files <profile|default> [--standins ...] [--root DIR]
 *   node otel-collector/profiles.ts list
 *   node otel-collector/profiles.ts name <profile|default>
 *   node otel-collector/profiles.ts standins <profile|default>
 *   node otel-collector/profiles.ts binary <profile|default>
 * Bad input (or an invalid manifest): a message on stderr, exit status 2.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { parse } from 'yaml';

export type StandinVendor = 'honeycomb' | 'aws' | 'aws-otlp' | 'xray-control';

/** Which collector build runs a profile: the main one (ADOT's versions) or the agent build (builder-config-agent.yaml). */
export type CollectorBuild = 'cruddur' | 'agent';

const BUILDS: Readonly<Record<CollectorBuild, string>> = {
  cruddur: 'otel-collector/build/otelcol-cruddur',
  agent: 'otel-collector/build/otelcol-cruddur-agent',
};

/** The repository-relative path of a build's binary. */
export const collectorBinary = (build: CollectorBuild): string => BUILDS[build];

export interface Profile {
  readonly name: string;
  readonly description: string;
  /** Repository-relative config files, in merge order. */
  readonly files: readonly string[];
  /** The vendors whose stand-in overlay applies to this profile. */
  readonly standins: readonly StandinVendor[];
  /** The build that runs it (manifest key `build`, default cruddur). */
  readonly build: CollectorBuild;
}

interface Manifest {
  readonly defaultProfile: string;
  readonly profiles: readonly Profile[];
  readonly overlays: Readonly<Record<StandinVendor, string>>;
}

const STANDIN_VENDORS: readonly StandinVendor[] = ['honeycomb', 'aws', 'aws-otlp', 'xray-control'];
const MANIFEST_PATH = path.join(path.dirname(fileURLToPath(import.meta.url)), 'profiles.yaml');
const MANIFEST_NAME = 'otel-collector/profiles.yaml';
/** `default` selects the default profile on the command line, so no profile may be called that. */
const DEFAULT_KEYWORD = 'default';
const PROFILE_NAME = /^[a-z][a-z0-9-]*$/;

/** Bad input: an unknown profile or stand-in, a bad command line, an invalid manifest. */
class ProfileError extends Error {
  override name = 'ProfileError';
}

const isStandinVendor = (value: unknown): value is StandinVendor =>
  typeof value === 'string' && (STANDIN_VENDORS as readonly string[]).includes(value);

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Checks the parsed manifest by hand and collects every problem, so one run shows them all. */
function validateManifest(raw: unknown): Manifest {
  const problems: string[] = [];
  const problem = (where: string, message: string): void => {
    problems.push(`${where}: ${message}`);
  };
  const knownKeys = (where: string, value: Record<string, unknown>, keys: readonly string[]): void => {
    for (const key of Object.keys(value)) if (!keys.includes(key)) problem(where, `unknown key "${key}" (expected ${keys.join(', ')})`);
  };
  const configFile = (where: string, value: unknown): string | undefined => {
    if (typeof value !== 'string' || value === '') {
      problem(where, 'expected a repository-relative file path');
      return undefined;
    }
    if (path.posix.isAbsolute(value) || value.includes('\\') || path.posix.normalize(value) !== value || value.startsWith('../')) {
      problem(where, `"${value}" must be a normalised repository-relative path (no leading /, no ..)`);
      return undefined;
    }
    if (!/\.ya?ml$/.test(value)) {
      problem(where, `"${value}" is not a YAML file`);
      return undefined;
    }
    return value;
  };

  if (!isRecord(raw)) throw new ProfileError(`${MANIFEST_NAME}: expected a mapping with default, overlays and profiles`);
  knownKeys('top level', raw, ['default', 'overlays', 'profiles']);

  const overlays: Partial<Record<StandinVendor, string>> = {};
  if (isRecord(raw.overlays)) {
    knownKeys('overlays', raw.overlays, STANDIN_VENDORS);
    for (const vendor of STANDIN_VENDORS) {
      if (vendor in raw.overlays) overlays[vendor] = configFile(`overlays.${vendor}`, raw.overlays[vendor]);
      else problem('overlays', `missing the overlay of "${vendor}"`);
    }
  } else {
    problem('overlays', `expected a mapping of stand-in vendor (${STANDIN_VENDORS.join(', ')}) to overlay file`);
  }
  const overlayFiles = new Set(Object.values(overlays));

  const profiles: Profile[] = [];
  if (!isRecord(raw.profiles) || Object.keys(raw.profiles).length === 0) {
    problem('profiles', 'expected a non-empty mapping of profile name to {description, files, standins}');
  } else {
    for (const [name, spec] of Object.entries(raw.profiles)) {
      const where = `profiles.${name}`;
      if (!PROFILE_NAME.test(name)) problem(where, `profile names are lower-case words joined by - (${PROFILE_NAME})`);
      if (name === DEFAULT_KEYWORD) problem(where, `"${DEFAULT_KEYWORD}" is reserved: it selects the default profile on the command line`);
      if (!isRecord(spec)) {
        problem(where, 'expected a mapping with description, files and standins');
        continue;
      }
      knownKeys(where, spec, ['description', 'files', 'standins', 'build']);
      let build: CollectorBuild = 'cruddur';
      if (spec.build !== undefined) {
        if (typeof spec.build === 'string' && spec.build in BUILDS) build = spec.build as CollectorBuild;
        else problem(`${where}.build`, `unknown build ${JSON.stringify(spec.build)} (known: ${Object.keys(BUILDS).join(', ')})`);
      }
      const description = spec.description;
      if (typeof description !== 'string' || description.trim() === '') problem(`${where}.description`, 'expected a non-empty string');

      const files: string[] = [];
      if (!Array.isArray(spec.files) || spec.files.length === 0) {
        problem(`${where}.files`, 'expected a non-empty list of config files in merge order');
      } else {
        spec.files.forEach((value: unknown, i) => {
          const file = configFile(`${where}.files[${i}]`, value);
          if (file === undefined) return;
          if (files.includes(file)) problem(`${where}.files[${i}]`, `"${file}" is listed twice`);
          else if (overlayFiles.has(file))
            problem(`${where}.files[${i}]`, `"${file}" is a stand-in overlay: list its vendor under standins instead`);
          else files.push(file);
        });
      }

      const standins: StandinVendor[] = [];
      if (Array.isArray(spec.standins)) {
        spec.standins.forEach((value: unknown, i) => {
          if (!isStandinVendor(value))
            problem(`${where}.standins[${i}]`, `unknown stand-in vendor ${JSON.stringify(value)} (known: ${STANDIN_VENDORS.join(', ')})`);
          else if (standins.includes(value)) problem(`${where}.standins[${i}]`, `"${value}" is listed twice`);
          else standins.push(value);
        });
      } else {
        problem(`${where}.standins`, `expected a list of stand-in vendors (${STANDIN_VENDORS.join(', ')}), [] for none`);
      }
      profiles.push(
        Object.freeze({
          name,
          description: typeof description === 'string' ? description.trim() : '',
          files: Object.freeze(files),
          standins: Object.freeze(standins),
          build,
        }),
      );
    }
  }

  const defaultProfile = raw.default;
  if (typeof defaultProfile !== 'string') problem('default', 'expected the name of the profile `make up` runs');
  else if (profiles.length > 0 && !profiles.some((p) => p.name === defaultProfile)) {
    problem('default', `"${defaultProfile}" is not a profile (known: ${profiles.map((p) => p.name).join(', ')})`);
  }

  if (problems.length > 0) throw new ProfileError(`${MANIFEST_NAME} is invalid:\n  ${problems.join('\n  ')}`);
  return Object.freeze({
    defaultProfile: String(defaultProfile),
    profiles: Object.freeze(profiles),
    overlays: Object.freeze(overlays as Record<StandinVendor, string>),
  });
}

let cached: Manifest | undefined;

/** The manifest, read and validated once per process. */
export function readProfiles(): Manifest {
  if (cached !== undefined) return cached;
  let raw: unknown;
  try {
    raw = parse(fs.readFileSync(MANIFEST_PATH, 'utf8'));
  } catch (error) {
    throw new ProfileError(`${MANIFEST_NAME}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  cached = validateManifest(raw);
  return cached;
}

export function profile(name: string): Profile {
  const { profiles } = readProfiles();
  const found = profiles.find((p) => p.name === name);
  if (found === undefined) throw new ProfileError(`unknown profile "${name}" (known: ${profiles.map((p) => p.name).join(', ')})`);
  return found;
}

/** Repository-relative files in merge order: the profile's files, then the overlays of the given stand-in vendors (each must be one the profile allows; 'all' = every one it allows). */
export function deploymentFiles(name: string, standins: readonly StandinVendor[] | 'all'): string[] {
  const p = profile(name);
  const { overlays } = readProfiles();
  // Checked at run time too: the CLI and JavaScript callers pass plain strings.
  const requested: readonly unknown[] = standins === 'all' ? p.standins : standins;
  for (const vendor of requested) {
    if (!isStandinVendor(vendor))
      throw new ProfileError(`unknown stand-in vendor ${JSON.stringify(vendor)} (known: ${STANDIN_VENDORS.join(', ')})`);
    if (!p.standins.includes(vendor)) {
      throw new ProfileError(`profile "${p.name}" takes no "${vendor}" stand-in (its stand-ins: ${p.standins.join(', ') || 'none'})`);
    }
  }
  // The profile's order, whatever order they were asked in.
  return [...p.files, ...p.standins.filter((vendor) => requested.includes(vendor)).map((vendor) => overlays[vendor])];
}

/** `--config=<root>/<file>` per file; root defaults to '' (relative paths). */
export function collectorArgs(files: readonly string[], root = ''): string[] {
  return files.map((file) => `--config=${root === '' ? file : path.join(root, file)}`);
}

// ---- command line ----------------------------------------------------------------------------

const USAGE = `usage: node otel-collector/profiles.ts args <profile|default> [--standins honeycomb,aws|all|none] [--root DIR]
       node otel-collector/profiles.ts files <profile|default> [--standins honeycomb,aws|all|none] [--root DIR]
       node otel-collector/profiles.ts list
       node otel-collector/profiles.ts name <profile|default>
       node otel-collector/profiles.ts standins <profile|default>
       node otel-collector/profiles.ts binary <profile|default>
  args   the collector's --config=... arguments, space-separated on one line
  files  the config files, one per line
  list   name<TAB>files for every profile, bare and (as <name>+standins) with all its overlays
  name   the profile's name (which profile default is)
  standins  the stand-in vendors the profile takes, comma-separated (none if it takes none)
  binary the repository-relative path of the collector build that runs the profile
  --standins defaults to none; --root prefixes every file (default: repository-relative paths)`;

class UsageError extends ProfileError {}

function parseStandins(value: string | undefined): readonly StandinVendor[] | 'all' {
  if (value === undefined || value === 'none') return [];
  if (value === 'all') return 'all';
  const vendors = value.split(',').map((v) => v.trim());
  const unknown = vendors.filter((v) => !isStandinVendor(v));
  if (unknown.length > 0) {
    throw new UsageError(
      `--standins: unknown stand-in vendor ${unknown.map((v) => JSON.stringify(v)).join(', ')} (expected a comma-separated list of ${STANDIN_VENDORS.join(', ')}, or all, or none)`,
    );
  }
  return [...new Set(vendors.filter(isStandinVendor))];
}

const OPTIONS = { standins: { type: 'string' }, root: { type: 'string' } } as const;

function parseCommandLine(argv: readonly string[]): { positionals: string[]; values: { standins?: string; root?: string } } {
  try {
    return parseArgs({ args: [...argv], allowPositionals: true, strict: true, options: OPTIONS });
  } catch (error) {
    // node:util's own messages, e.g. "Unknown option '--x'" or "Option '--root <value>' argument missing".
    throw new UsageError(error instanceof Error ? error.message : String(error), { cause: error });
  }
}

function run(argv: readonly string[]): string[] {
  const parsed = parseCommandLine(argv);
  const [command, ...rest] = parsed.positionals;
  const { standins, root } = parsed.values;
  if (command === 'list') {
    if (rest.length > 0 || standins !== undefined || root !== undefined) throw new UsageError('list takes no argument');
    return readProfiles().profiles.flatMap((p) => [
      `${p.name}\t${p.files.join(' ')}`,
      ...(p.standins.length > 0 ? [`${p.name}+standins\t${deploymentFiles(p.name, 'all').join(' ')}`] : []),
    ]);
  }
  if (command !== 'args' && command !== 'files' && command !== 'name' && command !== 'standins' && command !== 'binary') {
    throw new UsageError(command === undefined ? 'no command given' : `unknown command "${command}"`);
  }
  if (rest.length !== 1 || rest[0] === undefined) throw new UsageError(`${command} takes exactly one profile name (or ${DEFAULT_KEYWORD})`);
  const name = profile(rest[0] === DEFAULT_KEYWORD ? readProfiles().defaultProfile : rest[0]).name;
  if (command === 'name' || command === 'standins' || command === 'binary') {
    if (standins !== undefined || root !== undefined) throw new UsageError(`${command} takes no option`);
    if (command === 'binary') return [collectorBinary(profile(name).build)];
    return [command === 'name' ? name : profile(name).standins.join(',') || 'none'];
  }
  if (root === '') throw new UsageError('--root: expected a directory');
  const files = deploymentFiles(name, parseStandins(standins));
  if (command === 'args') return [collectorArgs(files, root).join(' ')];
  return root === undefined ? files : files.map((file) => path.join(root, file));
}

if (import.meta.main) {
  try {
    process.stdout.write(`${run(process.argv.slice(2)).join('\n')}\n`);
  } catch (error) {
    if (!(error instanceof ProfileError)) throw error;
    process.stderr.write(`profiles.ts: ${error.message}\n${error instanceof UsageError ? `${USAGE}\n` : ''}`);
    process.exitCode = 2;
  }
}
