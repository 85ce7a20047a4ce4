// A bare Express route, the yardstick of the landing page: the same framework on the same
// machine, doing nothing. Run in a process of its own; prints its port.
import express from 'express';

const app = express();
app.get('/r/:code', (req, res) => {
  res.send(`<!doctype html><p>${req.params.code}</p>`);
});
const server = app.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`${typeof address === 'object' && address ? address.port : 0}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
