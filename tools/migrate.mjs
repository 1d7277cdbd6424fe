// `npm run migrate`: applies every service's pending migrations, each as its own role.
// Services also migrate at start; this runs them ahead of time (and in deploy pipelines).
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { loadLocalSecrets } from './secrets.mjs';
import { root, services } from './services.mjs';

const require = createRequire(import.meta.url);
// Each service logs in as its own role, with the password from REFINERY_DB_PASSWORD_<ROLE>.
loadLocalSecrets();
const { runMigrations } = require(join(root, 'dist/libs/persistence/src/index.js'));

for (const service of services) {
  const { createServiceDataSource } = require(join(root, dirname(service.main), 'data-source.js'));
  const dataSource = await createServiceDataSource().initialize();
  try {
    const applied = await runMigrations(dataSource).catch((error) => {
      // 3F000: the role or schema was never provisioned in this database.
      if (error?.driverError?.code !== '3F000') throw error;
      console.error(
        `[migrate] ${service.name}: ${error.message} in ${dataSource.options.database}; run \`npm run setup\` first`,
      );
      process.exit(1);
    });
    console.log(
      `[migrate] ${service.name}: ${applied.length ? `applied ${applied.join(', ')}` : 'up to date'}`,
    );
  } finally {
    await dataSource.destroy();
  }
}
