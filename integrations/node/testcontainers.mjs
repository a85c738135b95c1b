// testcontainers.mjs: ddbd as a Testcontainers module for Node (npm `testcontainers`).
//
//   const ddbd = await startDdbdContainer();             // image `ddbd`, in memory, --admin
//   const db = new DynamoDBClient({ endpoint: ddbd.endpoint, region: 'us-east-1',
//     credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
//   ... await restore(ddbd.endpoint, 'seed') between tests (ddbd.mjs) ...
//   await ddbd.container.stop();
//
// Ready when it answers GET / with 200. `hostNetwork: true` is for engines without a bridge
// network (set TESTCONTAINERS_HOST_OVERRIDE=127.0.0.1 there too): the container then listens on a
// free port of the host's loopback (--host 127.0.0.1: the image listens on every interface, which on
// the host's network would be every interface of the host).
//
// Tested with npm's testcontainers 10.28 on Node 20 (package.json pins ^10). testcontainers 11 and 12
// change nothing this module uses, but 12 needs Node >= 22.22 (its `engines`) and fails at import on
// Node 20: there, `npm i testcontainers@10`.
import net from 'node:net';
import { GenericContainer, Wait } from 'testcontainers';
import { waitReady } from './ddbd.mjs';

const freePort = () => new Promise((resolve, reject) => {
  const srv = net.createServer().listen(0, '127.0.0.1', () => {
    const { port } = srv.address();
    srv.close(() => resolve(port));
  }).on('error', reject);
});

export async function startDdbdContainer({ image = 'ddbd', args = ['-inMemory', '--admin'], hostNetwork = false } = {}) {
  let container = new GenericContainer(image).withCommand(args);
  let port = 8000;
  if (hostNetwork) {
    port = await freePort();
    container = container.withNetworkMode('host').withCommand([...args, '--host', '127.0.0.1', '--port', String(port)])
      .withWaitStrategy(Wait.forLogMessage(/listening on/));   // no mapped port to poll yet
  } else {
    container = container.withExposedPorts(8000).withWaitStrategy(Wait.forHttp('/', 8000).forStatusCode(200));
  }
  const started = await container.start();
  const host = hostNetwork ? '127.0.0.1' : started.getHost();
  const endpoint = `http://${host}:${hostNetwork ? port : started.getMappedPort(8000)}`;
  if (hostNetwork) await waitReady(endpoint);   // the line comes just before the loops serve
  return { container: started, endpoint };
}
