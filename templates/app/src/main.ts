import { Logger } from '@nestjs/common';
import { createApp } from './bootstrap.js';

// SIGTERM/SIGINT close the app gracefully (enableShutdownHooks in createApp): in-flight requests finish,
// pending event deliveries drain, database pools close.
const app = await createApp();
const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? '0.0.0.0';
await app.listen(port, host);
new Logger('main').log({ msg: `listening on http://${host === '0.0.0.0' ? 'localhost' : host}:${port}`, port });
