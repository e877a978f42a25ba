/** The action's name and version, recorded in every manifest. Kept in step with package.json by a test. */
export const TOOL_NAME = 'postgres-backup-action'
export const TOOL_VERSION = '0.2.0'
