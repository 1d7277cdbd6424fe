import { writeFileSync } from 'node:fs';
import { ASYNCAPI_PATH, asyncApiVersion } from './asyncapi-file';
import { buildAsyncApi } from './build-asyncapi';

writeFileSync(ASYNCAPI_PATH, buildAsyncApi(asyncApiVersion()));
console.log(`wrote ${ASYNCAPI_PATH}`);
