export const id = 43;
export const ids = [43];
export const modules = {

/***/ 18139:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  N8: () => (/* binding */ chooseDumpClient),
  jp: () => (/* binding */ chooseRestoreClient),
  Gn: () => (/* binding */ discoverClients),
  TC: () => (/* binding */ pgDumpOptionRequirements),
  kx: () => (/* binding */ programPath)
});

// UNUSED EXPORTS: ClientInstallError, ClientVersionError, INSTALLABLE_MAJORS, candidateDirectories, parseClientVersion

// EXTERNAL MODULE: ./src/log.ts
var log = __webpack_require__(25625);
// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(73024);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(76760);
var external_node_path_default = /*#__PURE__*/__webpack_require__.n(external_node_path_);
// EXTERNAL MODULE: ./src/errors.ts
var errors = __webpack_require__(83916);
// EXTERNAL MODULE: ./src/process.ts
var src_process = __webpack_require__(34006);
;// CONCATENATED MODULE: ./src/postgres/install.ts
/**
 * Installing a PostgreSQL client of a given major with apt-get (Debian, Ubuntu: GitHub's Linux
 * runners), from the PostgreSQL apt repository (PGDG, apt.postgresql.org), which carries every
 * supported major for every supported release. Only run when the user allows it (input
 * install-client) and no installed client suits.
 *
 * Steps, each bounded by `timeout` so that an unreachable mirror cannot stall the job:
 *  1. Add PGDG unless an apt source already names it, the standard way: postgresql-common's
 *     /usr/share/postgresql-common/pgdg/apt.postgresql.org.sh -y (writes
 *     /etc/apt/sources.list.d/pgdg.sources with the key shipped in that package, then runs
 *     apt-get update); postgresql-common is installed first when it is missing. When PGDG was
 *     already configured but does not offer the package yet, apt-get update.
 *  2. apt-get install -y --no-install-recommends postgresql-client-N: the programs land in
 *     /usr/lib/postgresql/N/bin.
 * When the install fails, a repository this attempt added is removed again, so later apt-get
 * runs of the job do not trip over an unreachable source.
 */



const PGDG_SCRIPT = '/usr/share/postgresql-common/pgdg/apt.postgresql.org.sh';
const PGDG_SOURCES_FILE = '/etc/apt/sources.list.d/pgdg.sources';
const PGDG_HOSTS = /\bapt(?:-archive)?\.postgresql\.org\b/;
const DEFAULT_REPOSITORY_TIMEOUT_SECONDS = 120;
const DEFAULT_INSTALL_TIMEOUT_SECONDS = 300;
/** Package that holds pg_dump, pg_restore and psql of one major on Debian and Ubuntu. */
function clientPackage(major) {
    return `postgresql-client-${major}`;
}
/** Whether an apt source (one-line .list or deb822 .sources) names the PGDG repository. */
function hasPgdgSource(root = '/') {
    const etc = external_node_path_default().join(root, 'etc/apt');
    const files = [external_node_path_default().join(etc, 'sources.list')];
    const dir = external_node_path_default().join(etc, 'sources.list.d');
    try {
        for (const name of (0,external_node_fs_.readdirSync)(dir)) {
            if (name.endsWith('.list') || name.endsWith('.sources'))
                files.push(external_node_path_default().join(dir, name));
        }
    }
    catch {
        // no sources.list.d
    }
    for (const file of files) {
        let text;
        try {
            text = (0,external_node_fs_.readFileSync)(file, 'utf8');
        }
        catch {
            continue;
        }
        const sources = text.split(/\r?\n/).some(line => {
            const l = line.trim();
            return !l.startsWith('#') && PGDG_HOSTS.test(l);
        });
        // a deb822 stanza may be switched off with "Enabled: no"; treat the file as a whole
        if (sources && !/^\s*Enabled:\s*no\b/im.test(text))
            return true;
    }
    return false;
}
/** How to run a command as root here, or why that is impossible. */
async function rootPrefix(env) {
    if (typeof process.getuid === 'function' && process.getuid() === 0)
        return { prefix: [] };
    try {
        await (0,src_process/* runChild */.w$)((0,src_process/* findProgram */.Kp)('sudo', env) ?? 'sudo', ['-n', 'true'], { env, ownGroup: false });
        return { prefix: ['sudo', '-n'] };
    }
    catch (error) {
        return error instanceof src_process/* ChildProcessError */.Al && !error.startError
            ? { reason: 'the runner user is not root and sudo asks for a password' }
            : { reason: 'the runner user is not root and sudo is not installed' };
    }
}
/**
 * The commands' environment: a child's (process.ts) of `base`, with the proxy settings apt
 * needs. sudo resets it; DEBIAN_FRONTEND is passed through `env` on the command line.
 */
function installEnvironment(base) {
    return (0,src_process/* childEnvironment */.Qc)({}, { base, names: [...src_process/* PROXY_ENVIRONMENT */.v7, 'APT_CONFIG'] });
}
/**
 * The real installer: apt-get on Linux as root or with passwordless sudo (GitHub's Ubuntu
 * runners have both). Returns `unavailable` without running anything anywhere else.
 */
function aptInstaller(options = {}) {
    const root = options.root ?? '/';
    const platform = options.platform ?? process.platform;
    const repositoryTimeout = options.repositoryTimeoutSeconds ?? DEFAULT_REPOSITORY_TIMEOUT_SECONDS;
    const installTimeout = options.installTimeoutSeconds ?? DEFAULT_INSTALL_TIMEOUT_SECONDS;
    const tailLines = options.tailLines ?? 8;
    // programs are looked up on this environment's PATH, and run with it
    const env = installEnvironment(options.env ?? process.env);
    return async (major, log) => {
        const pkg = clientPackage(major);
        if (platform !== 'linux') {
            return {
                status: 'unavailable',
                reason: `the action installs clients with apt-get on Linux only, and this runner is ${platform}`
            };
        }
        if (!(0,src_process/* findProgram */.Kp)('apt-get', env)) {
            return { status: 'unavailable', reason: 'apt-get is not available on this runner' };
        }
        const asRoot = options.rootCommand ? { prefix: options.rootCommand } : await rootPrefix(env);
        if ('reason' in asRoot)
            return { status: 'unavailable', reason: asRoot.reason };
        const steps = [];
        const warnings = [];
        const bounded = (0,src_process/* findProgram */.Kp)('timeout', env) !== undefined;
        const run = async (description, argv, timeoutSeconds) => {
            // through `env`: sudo resets the environment
            const noninteractive = ['env', 'DEBIAN_FRONTEND=noninteractive'];
            const limit = bounded ? ['timeout', '-k', '10', String(timeoutSeconds)] : [];
            const full = [...asRoot.prefix, ...limit, ...noninteractive, ...argv];
            const command = [...asRoot.prefix, ...argv].join(' ');
            log(`${description}: ${command}`);
            const lines = [];
            const started = Date.now();
            let exitCode = null;
            const line = (text) => {
                lines.push(text);
                log(`  ${text}`);
            };
            try {
                // in the runner's process group (not one of its own): sudo's credentials stay usable
                await (0,src_process/* startChild */.v0)((0,src_process/* findProgram */.Kp)(full[0], env) ?? full[0], full.slice(1), {
                    env,
                    ownGroup: false,
                    onStdoutLine: line,
                    onStderrLine: line
                }).done;
                exitCode = 0;
            }
            catch (error) {
                if (error instanceof src_process/* ChildProcessError */.Al && !error.startError)
                    exitCode = error.code;
                else {
                    const cause = error instanceof src_process/* ChildProcessError */.Al ? error.startError : error;
                    lines.push(`could not run ${full[0]}: ${cause?.message ?? String(error)}`);
                }
            }
            // GNU timeout: 124 when the limit was hit (137 when the command had to be killed)
            const timedOut = bounded && (exitCode === 124 || exitCode === 137);
            const step = {
                description,
                command,
                exitCode: timedOut ? null : exitCode,
                timedOut,
                seconds: Math.round((Date.now() - started) / 100) / 10
            };
            steps.push(step);
            warnings.push(...lines.filter(l => /^(W|E|Err):/.test(l.trim())));
            return { step, lines };
        };
        const failed = (step, lines, why) => {
            const tail = lines.filter(l => l.trim() !== '').slice(-tailLines);
            const earlier = warnings.filter(w => !tail.includes(w)).slice(-tailLines);
            const status = step.timedOut
                ? `did not finish within its time limit`
                : step.exitCode === null
                    ? 'could not be run'
                    : `exited with code ${step.exitCode}`;
            return {
                status: 'failed',
                reason: `'${step.command}' ${status}${why ? ` (${why})` : ''}`,
                steps,
                output: [...earlier, ...tail]
            };
        };
        const sourcesFile = external_node_path_default().join(root, PGDG_SOURCES_FILE);
        const hadSourcesFile = (0,external_node_fs_.existsSync)(sourcesFile);
        let addedRepository = false;
        const removeAddedRepository = async () => {
            if (!addedRepository || hadSourcesFile || !(0,external_node_fs_.existsSync)(sourcesFile))
                return;
            await run('remove the repository this attempt added', ['rm', '-f', sourcesFile], 30);
        };
        /** Runs one step; when it fails, undoes what this attempt added and says why. */
        const attempt = async (description, argv, timeoutSeconds, reason = () => '') => {
            const { step, lines } = await run(description, argv, timeoutSeconds);
            if (step.exitCode === 0)
                return undefined;
            const why = reason(lines);
            await removeAddedRepository();
            return failed(step, lines, why);
        };
        const updateLists = () => attempt('update the package lists', ['apt-get', 'update'], repositoryTimeout);
        try {
            if (!hasPgdgSource(root)) {
                const script = external_node_path_default().join(root, PGDG_SCRIPT);
                if (!(0,external_node_fs_.existsSync)(script)) {
                    const failure = (await updateLists()) ??
                        (await attempt('install postgresql-common (it sets up the PostgreSQL apt repository)', ['apt-get', 'install', '-y', '--no-install-recommends', 'postgresql-common'], installTimeout, lines => aptReason(lines, 'postgresql-common')));
                    if (failure)
                        return failure;
                }
                addedRepository = true;
                const failure = await attempt('add the PostgreSQL apt repository (apt.postgresql.org)', [script, '-y'], repositoryTimeout, lines => aptReason(lines, pkg));
                if (failure)
                    return failure;
            }
            else if (!(await hasCandidate(pkg, env))) {
                const failure = await updateLists();
                if (failure)
                    return failure;
            }
            const failure = await attempt(`install ${pkg}`, [
                'apt-get',
                'install',
                '-y',
                '--no-install-recommends',
                '-o',
                'DPkg::Lock::Timeout=60',
                pkg
            ], installTimeout, lines => aptReason([...warnings, ...lines], pkg));
            if (failure)
                return failure;
            const binDir = external_node_path_default().join(root, 'usr/lib/postgresql', String(major), 'bin');
            return { status: 'installed', binDir, steps };
        }
        catch (error) {
            await removeAddedRepository().catch(() => undefined);
            throw error;
        }
    };
}
async function hasCandidate(pkg, env) {
    try {
        const policy = await (0,src_process/* runChild */.w$)((0,src_process/* findProgram */.Kp)('apt-cache', env) ?? 'apt-cache', ['policy', pkg], {
            env,
            ownGroup: false
        });
        const candidate = /Candidate:\s*(\S+)/.exec(policy);
        return candidate !== null && candidate[1] !== '(none)';
    }
    catch {
        return false;
    }
}
/** apt's own explanation, in a few words, when its output has one. */
function aptReason(lines, pkg) {
    const pgdgLines = lines.filter(l => PGDG_HOSTS.test(l));
    const unreachable = pgdgLines.some(l => /Could not resolve|Failed to fetch|Could not connect|Connection timed out|Temporary failure resolving|Network is unreachable/i.test(l));
    const missing = lines.some(l => l.includes(`Unable to locate package ${pkg}`) ||
        (l.includes(pkg) && l.includes('has no installation candidate')));
    if (missing && unreachable) {
        return `apt has no ${pkg}: the PostgreSQL apt repository apt.postgresql.org could not be reached`;
    }
    if (missing)
        return `apt has no ${pkg}`;
    if (unreachable)
        return 'the PostgreSQL apt repository apt.postgresql.org could not be reached';
    if (lines.some(l => /Could not get lock|Unable to acquire the dpkg frontend lock/.test(l))) {
        return 'another apt or dpkg process holds its lock';
    }
    return '';
}

;// CONCATENATED MODULE: ./src/postgres/clients.ts
/**
 * Finding PostgreSQL client programs (pg_dump, pg_restore, psql) by absolute path and choosing
 * one whose major version suits the server (dump) or the archive (restore), installing one when
 * allowed and none suits (install.ts). Debian/Ubuntu's /usr/bin/pg_dump is a wrapper that runs
 * the newest installed client, so the versioned directories are searched and the wrapper skipped.
 */






const EXE = process.platform === 'win32' ? '.exe' : '';
function programPath(install, program) {
    return external_node_path_default().join(install.binDir, program + EXE);
}
/**
 * Directories that may hold PostgreSQL clients on this platform, most specific first.
 * `root` prefixes the well-known locations (tests lay out a platform's tree under a temp dir).
 */
function candidateDirectories(options = {}) {
    const env = options.env ?? process.env;
    const at = (p) => (options.root ? external_node_path_default().join(options.root, p) : p);
    const dirs = [];
    const glob = (parent, pattern, suffix) => {
        if (!(0,external_node_fs_.existsSync)(parent))
            return;
        const entries = safeReaddir(parent).filter(e => pattern.test(e));
        // newest first within one family, so that sorting by major keeps the most specific path
        for (const entry of entries)
            dirs.push(external_node_path_default().join(parent, entry, suffix));
    };
    glob(at('/usr/lib/postgresql'), /^\d+$/, 'bin'); // Debian, Ubuntu
    glob(at('/usr'), /^pgsql-\d+$/, 'bin'); // RHEL family (PGDG)
    for (const prefix of ['/opt/homebrew/opt', '/usr/local/opt']) {
        glob(at(prefix), /^postgresql@\d+$/, 'bin'); // Homebrew
        glob(at(prefix), /^libpq$/, 'bin');
    }
    const programFiles = env.ProgramFiles ?? at('C:\\Program Files');
    glob(external_node_path_default().join(programFiles, 'PostgreSQL'), /^\d+$/, 'bin'); // Windows (EDB installer)
    for (const dir of (env.PATH ?? '').split((external_node_path_default()).delimiter))
        if (dir)
            dirs.push(dir);
    return [...new Set(dirs)];
}
function safeReaddir(dir) {
    try {
        return (0,external_node_fs_.readdirSync)(dir);
    }
    catch {
        return [];
    }
}
function parseClientVersion(text) {
    const match = /\(PostgreSQL\)\s+(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(text);
    if (!match)
        return undefined;
    const major = Number(match[1]);
    // before 10 the major was two numbers (9.6); those are far too old to matter here
    const version = [match[1], match[2], match[3]].filter(p => p !== undefined).join('.');
    return { version, major };
}
async function probe(binDir, program) {
    const file = external_node_path_default().join(binDir, program + EXE);
    if (!(0,external_node_fs_.existsSync)(file))
        return undefined;
    if (isDebianWrapper(file))
        return undefined;
    try {
        const stdout = await (0,src_process/* runChild */.w$)(file, ['--version']);
        const parsed = parseClientVersion(stdout);
        if (!parsed)
            return undefined;
        return { binDir, versionText: stdout.trim(), ...parsed };
    }
    catch {
        return undefined;
    }
}
/** Debian's pg_wrapper picks a version by itself: never call it. */
function isDebianWrapper(file) {
    try {
        return (0,external_node_fs_.realpathSync)(file).endsWith('pg_wrapper');
    }
    catch {
        return false;
    }
}
/** Every distinct install of `program` found, lowest major first. */
async function discoverClients(program, dirs = candidateDirectories()) {
    (0,src_process/* stopIfCancelled */.FE)();
    const found = [];
    const seen = new Set();
    for (const dir of dirs) {
        const install = await probe(dir, program);
        // a probe refused by a cancel finds nothing: not "no such client"
        (0,src_process/* stopIfCancelled */.FE)();
        if (!install)
            continue;
        let key;
        try {
            key = (0,external_node_fs_.realpathSync)(external_node_path_default().join(dir, program + EXE));
        }
        catch {
            key = dir;
        }
        if (seen.has(key))
            continue;
        seen.add(key);
        found.push(install);
    }
    return found.sort((a, b) => a.major - b.major);
}
/** pg_dump options and the major that introduced them (pg_dump --help of 15, 16, 17, 18). */
const PG_DUMP_OPTION_MAJORS = {
    '--table-and-children': 16,
    '--exclude-table-and-children': 16,
    '--exclude-table-data-and-children': 16,
    '--large-objects': 16,
    '--no-large-objects': 16,
    '--exclude-extension': 17,
    '--filter': 17,
    '--sync-method': 17,
    '--no-data': 18,
    '--no-policies': 18,
    '--no-schema': 18,
    '--no-statistics': 18,
    '--sequence-data': 18,
    '--statistics': 18,
    '--statistics-only': 18
};
/** The majors `args` (pg-dump-args) need: pg_dump of an older major refuses the option. */
function pgDumpOptionRequirements(args) {
    const needs = [];
    for (const arg of args) {
        const name = arg.split('=')[0];
        const major = PG_DUMP_OPTION_MAJORS[name];
        if (major !== undefined && !needs.some(n => n.because.startsWith(`${name} `))) {
            needs.push({ major, because: `${name} exists in pg_dump ${major} and newer` });
        }
    }
    return needs;
}
/**
 * The client for a dump of a server of `serverMajor`: the lowest major at least as new as the
 * server's, so that the archive stays readable by that server's own tools. `postgresVersion`
 * picks one major instead. With `installClient`, a missing client is installed (apt-get).
 */
async function chooseDumpClient(serverMajor, serverVersion, options = {}) {
    return chooseClient({
        program: 'pg_dump',
        minMajor: serverMajor,
        installMajor: serverMajor,
        serverMajor,
        why: `The server runs PostgreSQL ${serverVersion}, and pg_dump refuses servers newer than itself`
    }, options);
}
/**
 * The client for restoring an archive written by pg_dump `archiveMajor` into a server of
 * `serverMajor`: pg_restore (or psql for plain dumps) of at least the archive's pg_dump major,
 * the lowest such. pg_restore cannot read archives of a newer FORMAT ("unsupported version in
 * file header"): with `format`, a pg_restore that reads the format is enough (pg_restore 17
 * reads pg_dump 18's archives, both format 1.16), one of the dump's major preferred; psql runs a newer script as by hand (the gate handles newer meta-commands), so for
 * psql that major is preferred, not required: the newest installed one is used, with a warning,
 * when none is as new (and install-client is off or its installation fails). When none suits,
 * the client of the newer of the two majors is installed (install-client), so that it matches
 * the server too; when that fails, an installed client that can do the job is used, with a warning.
 */
async function chooseRestoreClient(program, archiveMajor, serverMajor, options = {}, 
/**
 * An archive's format version ("1.16.0", its header) and the oldest pg_restore that reads it
 * (archive.ts pgRestoreMajorForFormat): what pg_restore requires, when older than the
 * archive's pg_dump major (which is then preferred, not required).
 */
format) {
    if (program === 'psql') {
        // psql by hand runs a script of a newer pg_dump (the gate handles what newer pg_dumps add,
        // such as \restrict): the dump's major is preferred, not required
        return chooseClient({
            program,
            minMajor: 0,
            installMajor: Math.max(archiveMajor, serverMajor),
            serverMajor,
            why: `The dump was written by pg_dump ${archiveMajor}`,
            preferred: { major: archiveMajor, why: `The dump was written by pg_dump ${archiveMajor}` }
        }, options);
    }
    // pg_restore reads every archive whose FORMAT version it knows (archive.ts
    // pgRestoreMajorForFormat), whoever wrote it: pg_restore 17 reads pg_dump 18's 1.16
    const readable = format?.minMajor;
    if (readable === undefined || readable >= archiveMajor) {
        return chooseClient({
            program,
            // a header whose format is newer than its pg_dump's major says: the format decides
            minMajor: readable ?? archiveMajor,
            installMajor: Math.max(readable ?? 0, archiveMajor, serverMajor),
            serverMajor,
            why: format
                ? `The archive was written by pg_dump ${archiveMajor} in archive format ${format.version}, which pg_restore ${format.minMajor} and newer read`
                : `The archive was written by pg_dump ${archiveMajor}, and pg_restore cannot read archives of a newer pg_dump`
        }, options);
    }
    const why = `The archive was written by pg_dump ${archiveMajor} in archive format ${format.version}, which pg_restore ${readable} and newer read`;
    return chooseClient({
        program,
        minMajor: readable,
        installMajor: Math.max(archiveMajor, serverMajor),
        serverMajor,
        why,
        // as new as the dump is preferred (it knows the entries newer pg_dumps write, such as
        // STATISTICS DATA, and options such as --no-statistics), an older one used as by hand
        preferred: { major: archiveMajor, why: `The archive was written by pg_dump ${archiveMajor}` }
    }, options);
}
async function chooseClient(asked, options) {
    const chosen = await chooseClientOf(asked, options);
    if (chosen.warning)
        (options.warn ?? ((m) => log/* log */.Rm.warning(m)))(chosen.warning);
    return chosen;
}
async function chooseClientOf(asked, options) {
    const need = withRequirements(asked, options.requires ?? []);
    const { program } = need;
    const wanted = options.postgresVersion;
    if (options.pgBinDir) {
        const install = await probe(options.pgBinDir, program);
        // a probe the run's cancel stopped says nothing of the directory (attacker a58 F3)
        (0,src_process/* stopIfCancelled */.FE)();
        if (!install) {
            throw new errors/* SettingError */.L_('pgBinDir', `'${options.pgBinDir}' has no working ${program}${EXE}. Give the directory that holds ${program}, e.g. ${debianBinDir(need.installMajor)}.`);
        }
        if (wanted !== undefined && install.major !== wanted) {
            throw new errors/* SettingError */.L_('postgresVersion', `asks for ${program} ${wanted}, but pg-bin-dir '${options.pgBinDir}' holds ${program} ${install.version}. Make them agree, or set only one of them.`);
        }
        if (install.major < need.minMajor) {
            throw new errors/* SettingError */.L_('pgBinDir', `${need.why}; found ${listInstalls(program, [install])}. ${manualFix(program, need.minMajor, false)}`);
        }
        return olderThanPreferred(need, install);
    }
    if (wanted !== undefined && wanted < need.minMajor) {
        throw new errors/* SettingError */.L_('postgresVersion', `${program} ${wanted} cannot be used: ${need.why}. Use auto, or a major of at least ${need.minMajor}.`);
    }
    const installs = await (options.discovered ?? discoverClients(program, options.dirs));
    const lowest = Math.max(need.minMajor, need.preferred?.major ?? 0);
    const chosen = wanted !== undefined
        ? installs.find(i => i.major === wanted)
        : installs.find(i => i.major >= lowest);
    if (chosen)
        return olderThanPreferred(need, chosen);
    // psql older than the dump's pg_dump: used as by hand, unless install-client may install one
    const fallback = need.preferred && wanted === undefined ? usable(need, installs) : undefined;
    if (fallback && !options.installClient)
        return olderThanPreferred(need, fallback);
    return installOrFail(need, wanted ?? need.installMajor, wanted !== undefined, installs, options);
}
/** The newest installed client that can do the job (at least the major the job requires). */
function usable(need, installs) {
    return installs.filter(i => i.major >= need.minMajor).at(-1);
}
/** `install`, with a warning when it is older than the major preferred (psql: the dump's). */
function olderThanPreferred(need, install) {
    const preferred = need.preferred;
    if (!preferred || install.major >= preferred.major)
        return install;
    if (need.program === 'pg_restore') {
        return {
            ...install,
            warning: `${preferred.why}; restoring it with the older ${listInstalls(need.program, [install])}, which reads its archive format as pg_restore by hand does (${need.why.replace(/^The archive was written by pg_dump \d+ in /, '')}). A pg_restore as new as the dump knows what newer pg_dumps add (entries such as STATISTICS DATA, options such as --no-statistics): install ${clientPackage(preferred.major)} (or set install-client: true) to use it.`
        };
    }
    return {
        ...install,
        warning: `${preferred.why}; restoring it with the older ${listInstalls(need.program, [install])}, as psql by hand would: the action reads the script first and handles what newer pg_dumps add (such as \\restrict, SET transaction_timeout), and a statement the server rejects fails the restore as it would by hand. To restore with a psql as new as the dump, install ${clientPackage(preferred.major)} (or set install-client: true).`
    };
}
/** `text` with its first letter in upper case ("--no-statistics exists \u2026" stays as it is). */
function sentenceStart(text) {
    return `${text[0].toUpperCase()}${text.slice(1)}`;
}
/** The need raised to the newest major an option asks for, saying why. */
function withRequirements(need, requires) {
    const above = requires.filter(r => r.major > need.minMajor);
    if (above.length === 0)
        return need;
    const minMajor = Math.max(...above.map(r => r.major));
    return {
        ...need,
        minMajor,
        installMajor: Math.max(need.installMajor, minMajor),
        // (the option's need first: the server's own is met by any client that meets it, and
        // "pg_dump refuses servers newer than itself" read as false beside a pg_dump of the
        // server's major: trial u62 F5)
        why: `${sentenceStart(above.map(r => r.because).join(', '))}, so ${need.program} ${minMajor} or newer is needed (${need.why[0].toLowerCase()}${need.why.slice(1)})`
    };
}
/**
 * The majors install-client installs for a backup's sake: those this action supports (README:
 * Compatibility). The server's own major and postgres-version are the user's, not the backup's.
 */
const INSTALLABLE_MAJORS = { oldest: 13, newest: 18 };
async function installOrFail(need, major, exact, found, options) {
    const { program } = need;
    const pkg = clientPackage(major);
    /**
     * install-client could not give the client: an installed one that can do the job is used
     * (restores only: psql of any major \u2014 as by hand \u2014 or a pg_restore that reads the archive).
     */
    const fallBack = (why) => {
        if (program !== 'psql' && program !== 'pg_restore')
            return undefined;
        const installed = usable(need, found);
        if (!installed)
            return undefined;
        const chosen = olderThanPreferred(need, installed);
        const instead = `install-client could not install ${pkg} (${why}); restoring with the installed ${listInstalls(program, [installed])} instead${program === 'pg_restore' ? `, which reads the archive's format (pg_restore ${need.minMajor} and newer do)` : ''}.`;
        return { ...chosen, warning: chosen.warning ? `${instead} ${chosen.warning}` : instead };
    };
    const foundText = found.length === 0 ? `no ${program} was found` : `found ${listInstalls(program, found)}`;
    const problem = exact
        ? `Input 'postgres-version' asks for ${program} ${major}, which is not installed; ${foundText}.`
        : `${need.why}; ${foundText}.`;
    const fix = manualFix(program, major, exact, need.minMajor);
    if (!options.installClient) {
        throw new ClientVersionError(`${problem} ${fix} Or set 'install-client: true' to let the action install ${pkg} itself (Linux runners with apt-get).`, 'setting');
    }
    const installable = Number.isInteger(major) &&
        major >= INSTALLABLE_MAJORS.oldest &&
        major <= INSTALLABLE_MAJORS.newest;
    if (!installable && !exact && major !== need.serverMajor) {
        // the major may come from a backup's manifest or archive header: never let it choose what apt installs
        const instead = fallBack(`it installs only the clients of PostgreSQL ${INSTALLABLE_MAJORS.oldest}\u2013${INSTALLABLE_MAJORS.newest}`);
        if (instead)
            return instead;
        throw new ClientVersionError(`${problem} install-client installs only the clients of PostgreSQL ${INSTALLABLE_MAJORS.oldest}\u2013${INSTALLABLE_MAJORS.newest}, which this action supports, not ${pkg}; nothing was installed. ${fix}`, 'setting');
    }
    // a cancelled run installs nothing (its programs are refused: no client was found for that)
    (0,src_process/* stopIfCancelled */.FE)();
    const say = options.log ?? ((line) => log/* log */.Rm.info(line));
    const installer = options.installer ?? aptInstaller();
    say(`No suitable ${program} is installed (${foundText}); installing ${pkg} (install-client: true).`);
    const result = await installer(major, say);
    if (result.status === 'unavailable') {
        const instead = fallBack(result.reason);
        if (instead)
            return instead;
        throw new ClientVersionError(`${problem} install-client is on, but nothing could be installed: ${result.reason}. ${fix}`);
    }
    if (result.status === 'failed') {
        const instead = fallBack(`${result.reason}`);
        if (instead)
            return instead;
        const output = result.output.length
            ? `\napt's output ended with:\n${result.output.map(l => `  ${l}`).join('\n')}`
            : '';
        const unreachable = /could not be reached/.test(result.reason)
            ? ' The runner must be able to reach apt.postgresql.org for that (check its proxy and firewall); otherwise install the client from another source and set pg-bin-dir.'
            : '';
        throw new ClientInstallError(`${problem} install-client is on, so the action tried to install ${pkg}, and that failed: ${result.reason}.` +
            `\nSteps:\n${describeSteps(result.steps)}${output}\n${fix}${unreachable}`, result);
    }
    const install = await probe(result.binDir, program);
    if (!install || (exact ? install.major !== major : install.major < need.minMajor)) {
        const got = install ? `${program} ${install.version}` : `no working ${program}${EXE}`;
        const instead = fallBack(`${result.binDir} holds ${got}`);
        if (instead)
            return instead;
        throw new ClientInstallError(`${problem} install-client is on: ${pkg} was installed, but ${result.binDir} holds ${got}.` +
            `\nSteps:\n${describeSteps(result.steps)}\n${fix}`, result);
    }
    say(`Installed ${pkg}: ${programPath(install, program)}: ${install.versionText}`);
    return install;
}
/**
 * No client that can do the job: none installed and install-client off, or a major
 * install-client does not install \u2014 a setting (install-client, postgres-version, pg-bin-dir:
 * exit 2, as pg-bin-dir or postgres-version naming too old a client); an installation that
 * failed (ClientInstallError) is a failure.
 */
class ClientVersionError extends errors/* EngineError */.NJ {
    name = 'ClientVersionError';
}
/** install-client was on and the installation failed; `attempt` holds its steps and output. */
class ClientInstallError extends ClientVersionError {
    attempt;
    constructor(message, attempt) {
        super(message);
        this.attempt = attempt;
        this.name = 'ClientInstallError';
    }
}
function debianBinDir(major) {
    return `/usr/lib/postgresql/${major}/bin`;
}
function listInstalls(program, installs) {
    return installs.map(i => `${program} ${i.version} (${i.binDir})`).join(', ');
}
function describeSteps(steps) {
    return steps
        .map((s, n) => {
        const outcome = s.timedOut
            ? 'timed out'
            : s.exitCode === null
                ? 'could not be run'
                : `exit code ${s.exitCode}`;
        return `  ${n + 1}. ${s.description}: '${s.command}' \u2192 ${outcome} (${s.seconds} s)`;
    })
        .join('\n');
}
/** What to do by hand: install the client in an earlier step (Ubuntu/Debian, as on GitHub). */
function manualFix(program, major, exact, 
/** The oldest major that does the job, when older than `major` (the one to install). */
minMajor = major) {
    const which = exact
        ? `${major}`
        : minMajor < major
            ? `${minMajor} or newer (${major} is best: as new as the dump)`
            : `${major} or newer`;
    return (`Install a client of major ${which} and point the action at it, e.g. on Ubuntu: ` +
        `'sudo apt-get install -y postgresql-common && sudo ${PGDG_SCRIPT} -y && sudo apt-get install -y ${clientPackage(major)}' ` +
        `then 'pg-bin-dir: ${debianBinDir(major)}' (the ${program} there is found without it, too).`);
}


/***/ }),

/***/ 69599:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   O0: () => (/* binding */ parseGlobals),
/* harmony export */   b0: () => (/* binding */ planRoles),
/* harmony export */   fB: () => (/* binding */ dumpGlobals),
/* harmony export */   wy: () => (/* binding */ platformRole),
/* harmony export */   yL: () => (/* binding */ globalsFileName)
/* harmony export */ });
/* unused harmony exports SUPERUSER_ONLY, GlobalsError, quoteLiteral */
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(83916);
/* harmony import */ var _manifest_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(12880);
/* harmony import */ var _process_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(34006);
/* harmony import */ var _psql_lexer_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(7340);
/* harmony import */ var _sql_redact_js__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(68273);
/* harmony import */ var _sql_names_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(17370);
/**
 * Roles (globals: true, create-roles: true). Backup: `pg_dumpall --globals-only
 * --no-role-passwords`, run with the pg_dump the backup chose (the pg_dumpall beside it), its
 * password only in the environment; the file is stored beside the dump. Restore: the file is
 * read as psql would read it (psql-lexer.ts) against a strict grammar of what pg_dumpall writes
 * for roles \u2014 anything else (a meta-command, a statement of another kind, a password) refuses
 * the file \u2014 and the roles the target lacks are created by statements the action writes itself
 * from the parsed names and attributes (quoted again): nothing of the file's text reaches the
 * server. Existing roles are never altered, passwords never set; attributes the restoring role
 * cannot grant (SUPERUSER, REPLICATION, BYPASSRLS for a non-superuser) are left out and listed.
 */







/** The globals file's name beside the dump `fileName` (`.age` when the backup is encrypted). */
function globalsFileName(dumpFileName, encrypted) {
    return `${dumpFileName}.globals.sql${encrypted ? '.age' : ''}`;
}
/**
 * Runs pg_dumpall --globals-only --no-role-passwords connected to `database` (the backup's own:
 * a role that may connect to nothing else still can). A failure is returned, not thrown: the
 * backup of the database goes on without the roles.
 */
async function dumpGlobals(pgDumpallPath, env, database) {
    const args = ['--globals-only', '--no-role-passwords', '--no-password', `--database=${database}`];
    const child = (0,_process_js__WEBPACK_IMPORTED_MODULE_2__/* .startChild */ .v0)(pgDumpallPath, args, { env });
    const chunks = [];
    let bytes = 0;
    child.stdout.on('data', (chunk) => {
        bytes += chunk.length;
        if (bytes <= _manifest_js__WEBPACK_IMPORTED_MODULE_1__/* .MAX_GLOBALS_BYTES */ .eV)
            chunks.push(chunk);
    });
    try {
        await child.done;
    }
    catch (error) {
        if (!(error instanceof _process_js__WEBPACK_IMPORTED_MODULE_2__/* .ChildProcessError */ .Al))
            throw error;
        const reason = error.startError
            ? `could not start pg_dumpall (${pgDumpallPath}): ${error.startError.message}`
            : `pg_dumpall ${error.signal ? `was killed by ${error.signal}` : `exited with code ${error.code}`}: ${error.stderr.trim().split('\n').slice(-3).join(' | ')}`;
        return { ok: false, reason };
    }
    if (bytes > _manifest_js__WEBPACK_IMPORTED_MODULE_1__/* .MAX_GLOBALS_BYTES */ .eV) {
        return {
            ok: false,
            reason: `pg_dumpall wrote ${bytes} bytes, more than the ${_manifest_js__WEBPACK_IMPORTED_MODULE_1__/* .MAX_GLOBALS_BYTES */ .eV} a restore reads`
        };
    }
    return { ok: true, sql: Buffer.concat(chunks) };
}
/** Role attributes as pg_dumpall writes them (ALTER ROLE \u2026 WITH \u2026). */
const FLAGS = [
    'SUPERUSER',
    'INHERIT',
    'CREATEROLE',
    'CREATEDB',
    'LOGIN',
    'REPLICATION',
    'BYPASSRLS'
];
/**
 * What pg_dumpall writes after VALID UNTIL (rolvaliduntil in DateStyle ISO): infinity,
 * -infinity or a timestamp with its zone offset (e.g. '2030-01-01 00:00:00+00', '\u2026 BC').
 */
const VALID_UNTIL = /^(?:-?infinity|\d{4,}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(?:\.\d{1,6})?[+-]\d{2}(?::\d{2}){0,2}(?: BC)?)$/;
/** What only a superuser can give a role. */
const SUPERUSER_ONLY = new Set(['SUPERUSER', 'REPLICATION', 'BYPASSRLS']);
/** Refuses the globals file: the message names the line and says what to do. */
class GlobalsError extends _errors_js__WEBPACK_IMPORTED_MODULE_0__/* .CheckError */ .tl {
    name = 'GlobalsError';
}
/**
 * Reads a globals file against the grammar of pg_dumpall --globals-only --no-role-passwords;
 * throws a GlobalsError on the first thing it does not write (a meta-command other than
 * \restrict/\unrestrict, COPY data, a password, any other statement).
 */
function parseGlobals(sql, psqlMajor = 18) {
    const lexer = new _psql_lexer_js__WEBPACK_IMPORTED_MODULE_3__/* .PsqlLexer */ .$p({ psqlMajor });
    const events = [...lexer.write(sql), ...lexer.end()];
    const parsed = { roles: [], memberships: [], ignored: [] };
    const byName = new Map();
    for (const event of events) {
        if (event.kind === 'metaCommand') {
            if (event.name === 'restrict' || event.name === 'unrestrict')
                continue;
            throw new GlobalsError(`the globals file, line ${event.line}: the meta-command \\${event.name.slice(0, 40)} is not something pg_dumpall --globals-only writes; the file is refused and no role was created.`);
        }
        if (event.kind !== 'statement') {
            throw new GlobalsError(`the globals file, line ${event.line}: ${event.kind === 'copyData' || event.kind === 'copyEnd' ? 'COPY data' : 'input psql would not read as a statement'}, which pg_dumpall --globals-only never writes; the file is refused and no role was created.`);
        }
        statement(event, parsed, byName);
    }
    return parsed;
}
function statement(event, parsed, byName) {
    const refuse = (why) => {
        throw new GlobalsError(`the globals file, line ${event.line}: ${why} ("${oneLine(event.text)}"); pg_dumpall --globals-only --no-role-passwords never writes this. The file is refused and no role was created.`);
    };
    if (event.variables.length > 0 ||
        event.backslashEscapes > 0 ||
        event.terminator !== 'semicolon') {
        refuse('psql variables, "\\;" or a statement not ended by ";"');
    }
    const tokens = tokenize(event.text, refuse);
    const word = (i) => tokens[i]?.kind === 'word' ? tokens[i].text.toUpperCase() : undefined;
    const ignore = (reason) => {
        parsed.ignored.push({ line: event.line, text: oneLine(event.text), reason });
    };
    const w0 = word(0);
    const w1 = word(1);
    if (w0 === 'SET' || (w0 === 'SELECT' && /pg_catalog\.set_config/i.test(event.text))) {
        // the header's session settings (SET client_encoding \u2026): the action's own session decides
        if (w0 === 'SELECT')
            refuse('a function call');
        return ignore('session setting of the file');
    }
    if (w0 === 'CREATE' && w1 === 'ROLE') {
        const name = ident(tokens[2]) ?? refuse('CREATE ROLE without a role name');
        if (tokens.length !== 3)
            refuse('CREATE ROLE with more than a name');
        roleName(name, refuse);
        if (byName.has(name))
            refuse(`a second CREATE ROLE of "${name}"`);
        const role = { name, attributes: [], line: event.line };
        byName.set(name, role);
        parsed.roles.push(role);
        return;
    }
    if (w0 === 'ALTER' && w1 === 'ROLE') {
        const name = ident(tokens[2]) ?? refuse('ALTER ROLE without a role name');
        const role = byName.get(name);
        if (word(3) === 'WITH') {
            // only the role this file created just before: an existing role is never altered
            if (!role)
                return refuse(`ALTER ROLE "${name}" WITH \u2026 of a role the file does not create`);
            if (role.attributes.length > 0)
                refuse(`a second ALTER ROLE "${name}" WITH \u2026`);
            role.attributes = attributes(tokens.slice(4), refuse);
            return;
        }
        if (word(3) === 'SET' || word(3) === 'IN' || word(3) === 'RESET') {
            return ignore('role setting (ALTER ROLE \u2026 SET): not restored');
        }
        refuse('ALTER ROLE other than WITH attributes or SET');
    }
    if (w0 === 'COMMENT' && w1 === 'ON' && word(2) === 'ROLE')
        return ignore('comment on a role');
    if (w0 === 'SECURITY' && w1 === 'LABEL')
        return ignore('security label');
    if ((w0 === 'CREATE' || w0 === 'ALTER') && w1 === 'TABLESPACE') {
        return ignore('tablespace: not restored (a directory of the server)');
    }
    if (w0 === 'GRANT' || w0 === 'REVOKE') {
        if (tokens.some(t => t.kind === 'word' && t.text.toUpperCase() === 'ON')) {
            return ignore('privilege on a tablespace or parameter: not restored');
        }
        if (w0 === 'REVOKE')
            refuse('REVOKE of a role');
        const membership = grant(tokens, refuse);
        parsed.memberships.push(membership);
        return;
    }
    refuse('a statement other than CREATE ROLE, ALTER ROLE, GRANT, COMMENT or a tablespace');
}
/** `GRANT role TO member [WITH ADMIN OPTION | WITH opt TRUE|FALSE, \u2026] [GRANTED BY role]` */
function grant(tokens, refuse) {
    const role = ident(tokens[1]) ?? refuse('GRANT without a role name');
    if (tokens[2]?.kind !== 'word' || tokens[2].text.toUpperCase() !== 'TO') {
        refuse('GRANT of more than one role');
    }
    const member = ident(tokens[3]) ?? refuse('GRANT without a member');
    roleName(role, refuse);
    roleName(member, refuse);
    if (role === member)
        refuse(`a GRANT of role "${role}" to itself, which PostgreSQL refuses`);
    const membership = { role, member, admin: false };
    let i = 4;
    const upper = (k) => tokens[k]?.text.toUpperCase() ?? '';
    if (upper(i) === 'WITH') {
        do {
            i++;
            const option = upper(i);
            const value = upper(i + 1);
            if (!['ADMIN', 'INHERIT', 'SET'].includes(option))
                refuse('an unknown GRANT option');
            if (option === 'ADMIN' && value === 'OPTION')
                membership.admin = true;
            else if (value === 'TRUE' || value === 'FALSE') {
                const on = value === 'TRUE';
                if (option === 'ADMIN')
                    membership.admin = on;
                else if (option === 'INHERIT')
                    membership.inherit = on;
                else
                    membership.set = on;
            }
            else
                refuse('an unknown GRANT option value');
            i += 2;
        } while (tokens[i]?.text === ',');
    }
    if (upper(i) === 'GRANTED' && upper(i + 1) === 'BY' && ident(tokens[i + 2]))
        i += 3;
    if (i !== tokens.length)
        refuse('GRANT with more than a member and options');
    return membership;
}
/** The longest role name PostgreSQL keeps (NAMEDATALEN - 1): longer ones it cuts, so two could become one. */
const MAX_NAME_BYTES = 63;
function roleName(name, refuse) {
    if (Buffer.byteLength(name) > MAX_NAME_BYTES)
        refuse(`a role name of ${Buffer.byteLength(name)} bytes, longer than PostgreSQL's ${MAX_NAME_BYTES} (it would cut it, and two names could become one)`);
}
function attributes(tokens, refuse) {
    const out = [];
    for (let i = 0; i < tokens.length; i++) {
        const w = tokens[i].kind === 'word' ? tokens[i].text.toUpperCase() : '';
        const flag = FLAGS.find(f => w === f || w === `NO${f}`);
        if (flag) {
            out.push(w);
            continue;
        }
        if (w === 'CONNECTION' && tokens[i + 1]?.text.toUpperCase() === 'LIMIT') {
            const n = tokens[i + 2];
            if (n?.kind !== 'number')
                refuse('CONNECTION LIMIT without a number');
            // pg_dumpall writes an int4 from -1 (no limit) up
            const limit = Number(n.text);
            if (!/^-?\d{1,10}$/.test(n.text) || limit < -1 || limit > 2147483647) {
                refuse(`CONNECTION LIMIT ${n.text.slice(0, 20)}, not a whole number from -1 to 2147483647`);
            }
            out.push(`CONNECTION LIMIT ${limit}`);
            i += 2;
            continue;
        }
        if (w === 'VALID' && tokens[i + 1]?.text.toUpperCase() === 'UNTIL') {
            const t = tokens[i + 2];
            if (t?.kind !== 'string')
                refuse('VALID UNTIL without a date');
            if (!VALID_UNTIL.test(t.text)) {
                refuse(`VALID UNTIL '${t.text.slice(0, 40)}', not 'infinity', '-infinity' or an ISO timestamp such as '2030-01-01 00:00:00+00'`);
            }
            out.push(`VALID UNTIL ${quoteLiteral(t.text)}`);
            i += 2;
            continue;
        }
        if (w === 'PASSWORD' || w === 'ENCRYPTED')
            refuse('a password');
        refuse(`the role attribute ${tokens[i].text.slice(0, 40)}`);
    }
    return out;
}
/** Words, "quoted identifiers", '\u2026' literals (E'' and $$ refused), numbers and , only. */
function tokenize(sql, refuse) {
    const tokens = [];
    let i = 0;
    const text = sql.replace(/;\s*$/, '');
    /** The text between the quote at i and its closing one (a doubled quote stands for one). */
    const quoted = (quote, unterminated) => {
        let value = '';
        i++;
        for (;;) {
            if (i >= text.length)
                refuse(unterminated);
            if (text[i] === quote) {
                if (text[i + 1] === quote) {
                    value += quote;
                    i += 2;
                    continue;
                }
                i++;
                return value;
            }
            value += text[i++];
        }
    };
    while (i < text.length) {
        const ch = text[i];
        if (/\s/.test(ch)) {
            i++;
        }
        else if (ch === '-' && text[i + 1] === '-') {
            while (i < text.length && text[i] !== '\n')
                i++;
        }
        else if (ch === '"') {
            tokens.push({ kind: 'quoted', text: quoted('"', 'an unterminated quoted name') });
        }
        else if (ch === "'") {
            tokens.push({ kind: 'string', text: quoted("'", 'an unterminated literal') });
        }
        else if (/[0-9-]/.test(ch)) {
            const m = /^-?\d+/.exec(text.slice(i));
            if (!m)
                refuse('an unexpected character');
            tokens.push({ kind: 'number', text: m[0] });
            i += m[0].length;
        }
        else if (/[A-Za-z_]/.test(ch)) {
            const m = /^[A-Za-z_][A-Za-z0-9_$]*/.exec(text.slice(i));
            tokens.push({ kind: 'word', text: m[0] });
            i += m[0].length;
        }
        else if (ch === ',' || ch === '=' || ch === '.' || ch === '(' || ch === ')') {
            tokens.push({ kind: 'punct', text: ch });
            i++;
        }
        else if (tokens[0]?.kind === 'word' &&
            /^(SET|COMMENT|SECURITY|CREATE|ALTER|GRANT|REVOKE)$/i.test(tokens[0].text)) {
            // settings, comments and tablespace options may hold other characters: such statements
            // are ignored or refused by their first words, never run
            i++;
        }
        else
            refuse('an unexpected character');
    }
    return tokens;
}
/** A role name token: a plain word (folded to lower case, as the server does) or "quoted". */
function ident(token) {
    if (!token)
        return undefined;
    if (token.kind === 'quoted')
        return token.text.length > 0 ? token.text : undefined;
    if (token.kind === 'word')
        return token.text.toLowerCase();
    return undefined;
}
/**
 * A string literal that reads the same whatever standard_conforming_strings is, as PostgreSQL's
 * quote_literal writes it: quotes doubled, and with a backslash in the value the E'' form with
 * backslashes doubled (in a plain '' literal, standard_conforming_strings = off would read a
 * backslash as an escape and could end the literal early). Every literal the action builds
 * goes through here.
 */
function quoteLiteral(value) {
    const quoted = value.replace(/'/g, "''");
    return value.includes('\\') ? `E'${quoted.replace(/\\/g, '\\\\')}'` : `'${quoted}'`;
}
function oneLine(text) {
    return (0,_sql_redact_js__WEBPACK_IMPORTED_MODULE_5__/* .quoteSql */ .Xd)(text, 201);
}
/**
 * A managed service's own administrative roles, by name: the platform creates them on its
 * servers and gives them powers no CREATE ROLE can (Neon's neon_superuser, RDS's rds_superuser,
 * Cloud SQL's cloudsqlsuperuser, Azure's azure_pg_admin, Supabase's supabase_admin). Created
 * on another platform's server they would be a powerless role of the same name, and a grant
 * of one to an application role a grant of nothing: left out, said (trial u40 F5). The
 * service's name, or undefined. Application roles a platform gives (Supabase's anon,
 * authenticated, service_role) are the application's: created like any other.
 */
function platformRole(name) {
    if (/^(?:neon_superuser|cloud_admin|neon_service)$/.test(name))
        return 'Neon';
    if (/^(?:rdsadmin|rds_superuser|rds_replication|rds_password|rds_iam|rds_ad|rdstopmgr|rdsrepladmin|rds_reserved|rds_extension)$/.test(name))
        return 'Amazon RDS';
    if (/^(?:cloudsqlsuperuser|cloudsqladmin|cloudsqlagent|cloudsqlreplica|cloudsqlimportexport|cloudsqlobservabilityadmin)$/.test(name))
        return 'Cloud SQL';
    if (/^(?:alloydbsuperuser|alloydbadmin|alloydbreplica|alloydbagent)$/.test(name))
        return 'AlloyDB';
    if (/^(?:azure_pg_admin|azuresu|azure_superuser)$/.test(name))
        return 'Azure Database for PostgreSQL';
    if (/^(?:supabase_admin|supabase_replication_admin|supabase_etl_admin|supabase_superuser)$/.test(name))
        return 'Supabase';
    return undefined;
}
/**
 * The statements that create the file's roles the target lacks. Never a statement about an
 * existing role: a membership is made only between two roles this restore creates \u2014 one that
 * makes an existing role a member, or a created role a member of an existing role, is left out
 * (listed: grant it by hand). Left out and listed too: attributes only a superuser can give
 * when the restoring role is not one, CREATEROLE before PostgreSQL 16 (there it can grant
 * itself any non-superuser role), and SUPERUSER always (a file from outside never makes a
 * superuser).
 */
function planRoles(globals, target) {
    const plan = { statements: [], created: [], existing: [], skipped: [] };
    const creating = new Set();
    for (const role of globals.roles) {
        if (target.roles.has(role.name)) {
            plan.existing.push(role.name);
            continue;
        }
        if (/^pg_/i.test(role.name)) {
            plan.skipped.push(`${role.name}: a reserved name (pg_\u2026), not created`);
            continue;
        }
        const platform = platformRole(role.name);
        if (platform) {
            plan.skipped.push(`${role.name}: ${platform}'s own administrative role, not created (the platform makes it on its own servers with powers CREATE ROLE cannot give; here it would be a powerless role of that name \u2014 use this server's own admin role instead)`);
            continue;
        }
        const kept = [];
        const dropped = [];
        for (const attribute of role.attributes) {
            // a file from outside never makes a superuser, whoever restores it: that is granted by hand
            if (attribute === 'SUPERUSER') {
                plan.skipped.push(`${role.name}: SUPERUSER not given (a backup never creates a superuser; grant it by hand if it must be one)`);
            }
            else if (attribute === 'CREATEROLE' && target.serverMajor < 16) {
                // before 16 a CREATEROLE role may grant itself any role but a superuser
                // (pg_execute_server_program\u2026): as good as a superuser
                plan.skipped.push(`${role.name}: CREATEROLE not given (before PostgreSQL 16 it lets a role grant itself any non-superuser role, pg_execute_server_program included; grant it by hand if it must have it)`);
            }
            else if (!target.superuser && SUPERUSER_ONLY.has(attribute))
                dropped.push(attribute);
            else
                kept.push(attribute);
        }
        if (dropped.length > 0) {
            plan.skipped.push(`${role.name}: ${dropped.join(', ')} not given (only a superuser can; the restore runs as a non-superuser)`);
        }
        plan.statements.push(`CREATE ROLE ${(0,_sql_names_js__WEBPACK_IMPORTED_MODULE_4__/* .sqlQuoted */ .X_)(role.name)}${kept.length > 0 ? ` WITH ${kept.join(' ')}` : ''};`);
        plan.created.push(role.name);
        creating.add(role.name);
    }
    // role settings (ALTER ROLE \u2026 SET) are not restored: listed like the rest left out
    for (const i of globals.ignored)
        if (i.reason.startsWith('role setting'))
            plan.skipped.push(`${i.text} (line ${i.line}): role settings are not restored; set it by hand`);
    for (const m of globals.memberships) {
        if (!creating.has(m.member)) {
            if (creating.has(m.role)) {
                plan.skipped.push(`GRANT ${m.role} TO ${m.member}: ${target.roles.has(m.member) ? `"${m.member}" exists and is not altered` : `"${m.member}" is not created`}`);
            }
            continue;
        }
        // only memberships among the roles this restore creates: a membership in an existing role
        // (a superuser, a pg_* role, ADMIN on an application role) would give a role the backup
        // names the rights of one the target already has
        if (!creating.has(m.role)) {
            plan.skipped.push(`GRANT ${m.role} TO ${m.member}: ${target.roles.has(m.role) ? `"${m.role}" exists, and a restore grants only roles it creates (grant it by hand if "${m.member}" must have it)` : `"${m.role}" does not exist`}`);
            continue;
        }
        // never more than the source granted: a membership without INHERIT or SET cannot be
        // made before 16, so it is left out there
        const options = m.admin ? ['ADMIN OPTION'] : [];
        if (target.serverMajor >= 16) {
            if (m.inherit !== undefined)
                options.push(`INHERIT ${m.inherit ? 'TRUE' : 'FALSE'}`);
            if (m.set !== undefined)
                options.push(`SET ${m.set ? 'TRUE' : 'FALSE'}`);
        }
        else if (m.inherit === false || m.set === false) {
            plan.skipped.push(`GRANT ${m.role} TO ${m.member}: granted WITH ${m.inherit === false ? 'INHERIT FALSE' : 'SET FALSE'} in the backup, which PostgreSQL ${target.serverMajor} cannot express (a plain membership would grant more)`);
            continue;
        }
        plan.statements.push(`GRANT ${(0,_sql_names_js__WEBPACK_IMPORTED_MODULE_4__/* .sqlQuoted */ .X_)(m.role)} TO ${(0,_sql_names_js__WEBPACK_IMPORTED_MODULE_4__/* .sqlQuoted */ .X_)(m.member)}${options.length > 0 ? ` WITH ${options.join(', ')}` : ''};`);
    }
    return plan;
}


/***/ }),

/***/ 63727:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   A5: () => (/* binding */ widenPipe),
/* harmony export */   F0: () => (/* binding */ makeFifo),
/* harmony export */   JL: () => (/* binding */ PIPE_SIZE),
/* harmony export */   Yc: () => (/* binding */ coalesce),
/* harmony export */   Ze: () => (/* binding */ drain),
/* harmony export */   rh: () => (/* binding */ canWidenPipes),
/* harmony export */   vW: () => (/* binding */ reusedBufferPipe)
/* harmony export */ });
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(73024);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_fs__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(51455);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_fs_promises__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var node_net__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(77030);
/* harmony import */ var node_net__WEBPACK_IMPORTED_MODULE_2___default = /*#__PURE__*/__webpack_require__.n(node_net__WEBPACK_IMPORTED_MODULE_2__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(76760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_3___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_3__);
/* harmony import */ var node_stream__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(57075);
/* harmony import */ var node_stream__WEBPACK_IMPORTED_MODULE_4___default = /*#__PURE__*/__webpack_require__.n(node_stream__WEBPACK_IMPORTED_MODULE_4__);
/* harmony import */ var _log_js__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(25625);
/* harmony import */ var _process_js__WEBPACK_IMPORTED_MODULE_6__ = __webpack_require__(34006);
/* harmony import */ var _local_js__WEBPACK_IMPORTED_MODULE_7__ = __webpack_require__(72922);
/**
 * Named pipes for the live upload, where the artifact client cannot be handed the zip's stream
 * (artifact-zip.ts handOverOnRead: node:fs cannot be patched for it, as under jest): it then
 * reads the backup's zip from a pipe while the dump is still being written into it.
 *
 * Why the pipe is widened: the client reads the pipe with 8 MiB buffers, one allocated per read,
 * and a read returns what the pipe holds: 64 KiB writes into a 64 KiB pipe would cost an 8 MiB
 * buffer per 64 KiB, and garbage collection would take more CPU than the dump (measured: 9 s
 * instead of 5 s on the 500 MB bench database). So the zip is written in 1 MiB pieces into a
 * pipe widened to 1 MiB (the most an unprivileged process may set, /proc/sys/fs/pipe-max-size).
 * Node has no fcntl(): perl, which GitHub's runners have, sets F_SETPIPE_SZ (1031) on the pipe,
 * which then keeps that size while the action holds its writing end. Without perl (or mkfifo)
 * the zip is written to a file and uploaded after the dump.
 */








const PIPE_SIZE = 1024 * 1024;
/** A named pipe at `file` (mode 0600); false when the system cannot make one. */
async function makeFifo(file) {
    if (process.platform === 'win32')
        return false;
    return (0,_process_js__WEBPACK_IMPORTED_MODULE_6__/* .runChild */ .w$)('mkfifo', ['-m', '600', file]).then(() => true, () => false);
}
let perlWorks;
/** Whether pipes can be widened here (Linux, with perl); checked once. */
function canWidenPipes() {
    perlWorks ??=
        process.platform === 'linux'
            ? (0,_process_js__WEBPACK_IMPORTED_MODULE_6__/* .runChild */ .w$)('perl', ['-e', '1']).then(() => true, () => false)
            : Promise.resolve(false);
    return perlWorks;
}
/** Sets the pipe's buffer to PIPE_SIZE; needs the pipe open for writing (else it blocks). */
function widenPipe(fifo) {
    const perl = (0,_process_js__WEBPACK_IMPORTED_MODULE_6__/* .startChild */ .v0)('perl', [
        '-e',
        'open(my $f, "+<", $ARGV[0]) or exit 1; fcntl($f, 1031, $ARGV[1] + 0) or exit 2',
        fifo,
        String(PIPE_SIZE)
    ], { stdout: 'ignore' });
    perl.done.catch((error) => _log_js__WEBPACK_IMPORTED_MODULE_5__/* .log */ .Rm.debug(`could not widen the upload pipe (${error.message})`));
}
/** Joins chunks into pieces of at least `size` bytes (the last one may be smaller). */
function coalesce(size) {
    let held = [];
    let heldBytes = 0;
    return new node_stream__WEBPACK_IMPORTED_MODULE_4__.Transform({
        transform(chunk, _encoding, callback) {
            held.push(chunk);
            heldBytes += chunk.length;
            if (heldBytes < size)
                return callback();
            const piece = Buffer.concat(held, heldBytes);
            held = [];
            heldBytes = 0;
            callback(null, piece);
        },
        flush(callback) {
            callback(null, heldBytes > 0 ? Buffer.concat(held, heldBytes) : undefined);
        }
    });
}
/**
 * Reads the pipe to its end without waiting for a writer to appear (non-blocking open): frees a
 * writer that is blocked on a pipe the client no longer reads.
 */
function drain(fifo) {
    let fd;
    try {
        fd = (0,node_fs__WEBPACK_IMPORTED_MODULE_0__.openSync)(fifo, node_fs__WEBPACK_IMPORTED_MODULE_0__.constants.O_RDONLY | node_fs__WEBPACK_IMPORTED_MODULE_0__.constants.O_NONBLOCK);
    }
    catch {
        return undefined; // removed already
    }
    const reader = new node_net__WEBPACK_IMPORTED_MODULE_2__.Socket({ fd, readable: true, writable: false });
    reader.on('error', () => reader.destroy());
    // a pipe whose writer is gone already never signals its end: it must not keep Node running
    reader.unref();
    reader.resume();
    return reader;
}
/** Bytes of the one buffer a {@link ReusedBufferPipe} reads into (a Linux pipe holds 64 KiB). */
const REUSED_READ_BYTES = 64 * 1024;
/**
 * A {@link ReusedBufferPipe}: a named pipe in a work directory of its own (under `tempRoot`, else
 * RUNNER_TEMP or the system's), opened at both ends and removed at once (the descriptors stay). Undefined where no named pipe can be made
 * (Windows, no mkfifo): then read the child's stdout.
 */
async function reusedBufferPipe(tempRoot) {
    if (process.platform === 'win32')
        return undefined;
    const dir = await (0,_local_js__WEBPACK_IMPORTED_MODULE_7__/* .makeWorkDir */ .dW)('pg-pipe-', tempRoot);
    let readFd;
    let writeFd;
    try {
        const fifo = node_path__WEBPACK_IMPORTED_MODULE_3___default().join(dir, 'pipe');
        if (!(await makeFifo(fifo)))
            return undefined;
        // the reading end first (non-blocking: no writer yet), then the writing end
        readFd = (0,node_fs__WEBPACK_IMPORTED_MODULE_0__.openSync)(fifo, node_fs__WEBPACK_IMPORTED_MODULE_0__.constants.O_RDONLY | node_fs__WEBPACK_IMPORTED_MODULE_0__.constants.O_NONBLOCK);
        writeFd = (0,node_fs__WEBPACK_IMPORTED_MODULE_0__.openSync)(fifo, node_fs__WEBPACK_IMPORTED_MODULE_0__.constants.O_WRONLY);
    }
    catch {
        for (const fd of [readFd, writeFd])
            if (fd !== undefined)
                (0,node_fs__WEBPACK_IMPORTED_MODULE_0__.closeSync)(fd);
        return undefined;
    }
    finally {
        await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.rm)(dir, { recursive: true, force: true });
    }
    const buffer = Buffer.allocUnsafe(REUSED_READ_BYTES);
    let ready;
    let ended = false;
    let failed;
    let waiter;
    const reader = new node_net__WEBPACK_IMPORTED_MODULE_2__.Socket({
        fd: readFd,
        readable: true,
        writable: false,
        onread: {
            buffer,
            // one read at a time: paused until the chunk's reader asks for the next (the buffer is reused)
            callback: (bytes, into) => {
                const chunk = Buffer.from(into.buffer, into.byteOffset, bytes);
                if (waiter) {
                    const w = waiter;
                    waiter = undefined;
                    w.resolve(chunk);
                }
                else
                    ready = chunk;
                return false;
            }
        }
    });
    reader.on('end', () => {
        ended = true;
        waiter?.resolve(null);
        waiter = undefined;
    });
    reader.on('error', (error) => {
        failed = error;
        waiter?.reject(error);
        waiter = undefined;
    });
    const writer = new node_net__WEBPACK_IMPORTED_MODULE_2__.Socket({ fd: writeFd, readable: false, writable: true });
    writer.on('error', () => undefined);
    return {
        writer,
        closeWriter: () => writer.destroy(),
        next: () => {
            if (failed)
                return Promise.reject(failed);
            if (ready) {
                const chunk = ready;
                ready = undefined;
                return Promise.resolve(chunk);
            }
            if (ended)
                return Promise.resolve(null);
            return new Promise((resolve, reject) => {
                waiter = { resolve, reject };
                reader.resume();
            });
        },
        close: () => {
            writer.destroy();
            reader.destroy();
        }
    };
}


/***/ })

};
