// Times Blockcerts' verifier (@blockcerts/cert-verifier-js) verifying Blockcerts v3 certificates, for
// bench/verification.py. Usage: node time_verify.mjs [runs]. Prints one JSON line.
//
// The certificates are made here, the way an issuer makes one: the credential is canonicalised (URDNA2015
// N-Quads) and hashed, and a MerkleProof2019 proof of a batch of one is anchored on a chain. Two of them:
//
// * "anchored": on Bitcoin testnet. The verifier asks a blockchain explorer for the anchoring transaction (given
//   to it as a custom explorer, answered by the stub in Blockstream's format: its OP_RETURN holds the Merkle root,
//   its input the issuing address) and checks the root and that the issuer profile lists that address — the
//   whole procedure, as GreenCert's online check proves its block inclusion, record and revocation;
// * "mocknet": on Blockcerts' test chain, for which the verifier skips the transaction, the Merkle root and the
//   issuer's key: only the document hash and the revocation are checked.
//
// The issuer profile, revocation list and transaction are served by a stub HTTPS server in this process on a
// loopback port; the verifier runs in a process of its own (this script again), as GreenCert's node and verifier
// do in bench/verification.py. The verifier upgrades every http:// URL to https://, so the stub's certificate is
// made for the run (openssl) and trusted through NODE_EXTRA_CA_CERTS. Each timed check is what a verifier does per
// certificate: new Certificate(json), init() (parse, fetch the issuer profile), verify().

import https from 'node:https';
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import jsonld from 'jsonld';
import { preloadedContexts } from '@blockcerts/schemas';
import { Encoder } from '@blockcerts/lds-merkle-proof-2019';
import { Certificate } from '@blockcerts/cert-verifier-js/dist/verifier-node/index.js'; // its Node build

const require = createRequire(import.meta.url);
const runs = Number(process.argv[2] ?? 300);
const WARMUP = 20;
const ISSUING_ADDRESS = 'mgdWjvq4RYAAP5goSUJeRZhCXuEpDbcWsX'; // the stub's: any address the profile also lists
const TESTNET_TX = createHash('sha256').update('greencert bench anchoring transaction').digest('hex');

function issuerProfile (base) {
  return {
    '@context': ['https://w3id.org/openbadges/v2', 'https://w3id.org/blockcerts/v3'],
    id: base + '/issuer.json',
    type: 'Profile',
    name: 'GreenCert benchmark issuer',
    email: 'bench@greencert.invalid',
    url: 'https://greencert.invalid',
    revocationList: base + '/revocations.json', // so that each check asks whether it was revoked, as GreenCert's does
    publicKey: [{ id: 'ecdsa-koblitz-pubkey:' + ISSUING_ADDRESS, created: '2026-01-01T00:00:00Z' }]
  };
}

function revocationList (base) {
  return {
    '@context': 'https://w3id.org/openbadges/v2',
    id: base + '/revocations.json',
    type: 'RevocationList',
    issuer: base + '/issuer.json',
    revokedAssertions: [{ id: 'urn:uuid:00000000-0000-4000-8000-000000000000', revocationReason: 'another one' }]
  };
}

function credential (issuerUrl) {
  return {
    '@context': ['https://www.w3.org/2018/credentials/v1', 'https://w3id.org/blockcerts/v3'],
    id: 'urn:uuid:6f1c0c6e-4c1b-4b8e-9d0a-8a1b1c2d3e4f',
    type: ['VerifiableCredential', 'BlockcertsCredential'],
    issuer: issuerUrl,
    issuanceDate: '2026-04-01T00:00:00Z',
    credentialSubject: {
      id: 'did:example:consumer-ca',
      name: 'Consumer Ca',
      claim: { name: 'Renewable electricity', description: '20.000 kWh of solar generation, April 2026' }
    }
  };
}

// The stub's answer about the anchoring transaction, in the shape of Blockstream's API (what the verifier reads:
// confirmed, block time, the issuing address of its input, OP_RETURN <merkle root> as its last output).
function transaction (merkleRoot) {
  return {
    status: { confirmed: true, block_time: Date.parse('2026-04-01T00:10:00Z') / 1000 },
    vin: [{ prevout: { scriptpubkey_address: ISSUING_ADDRESS } }],
    vout: [{ scriptpubkey: '6a20' + merkleRoot }]
  };
}

function readTransaction ({ jsonResponse }) {
  // The custom explorer's parsing function: Blockstream's fields, as its own parser reads them.
  if (!jsonResponse.status.confirmed) throw new Error('transaction not confirmed');
  const outputs = jsonResponse.vout;
  return {
    remoteHash: outputs[outputs.length - 1].scriptpubkey.replace(/^6a20/, ''),
    issuingAddress: jsonResponse.vin[0].prevout.scriptpubkey_address,
    time: new Date(jsonResponse.status.block_time * 1000),
    revokedAddresses: outputs.filter(output => !!output.scriptpubkey_address).map(output => output.scriptpubkey_address)
  };
}

async function targetHash (document) {
  // What the verifier recomputes: the credential without its proof, unmapped terms caught by a fallback vocab.
  const copy = JSON.parse(JSON.stringify(document));
  copy['@context'].push({ '@vocab': 'http://fallback.org/' });
  const documentLoader = async (url) => {
    if (url in preloadedContexts) return { contextUrl: null, document: preloadedContexts[url], documentUrl: url };
    throw new Error(`context ${url} is not preloaded: the benchmark asks no network`);
  };
  const nquads = await jsonld.normalize(copy, { algorithm: 'URDNA2015', format: 'application/nquads',
    documentLoader, safe: false });
  return createHash('sha256').update(nquads, 'utf8').digest('hex');
}

async function signed (issuerUrl, anchor) {
  const document = credential(issuerUrl);
  const hash = await targetHash(document);
  const proofValue = new Encoder({
    path: [],
    merkleRoot: hash, // a batch of one: its root is its only leaf
    targetHash: hash,
    anchors: [anchor]
  }).encode();
  return {
    merkleRoot: hash,
    certificate: {
      ...document,
      proof: {
        type: 'MerkleProof2019',
        created: '2026-04-01T00:00:00Z',
        proofValue,
        proofPurpose: 'assertionMethod',
        verificationMethod: issuerUrl + '#key-1'
      }
    }
  };
}

function percentile (sorted, p) {
  return sorted[Math.max(0, Math.ceil(sorted.length * p) - 1)];
}

function stubServer (tls, counter, merkleRoot) {
  // The issuer's documents and the anchoring transaction over HTTPS on a loopback port; counts its answers.
  const server = https.createServer({
    key: readFileSync(join(tls, 'key.pem')),
    cert: readFileSync(join(tls, 'cert.pem'))
  }, (request, response) => {
    counter.requests += 1;
    const base = `https://127.0.0.1:${server.address().port}`;
    const path = request.url.split('?')[0];
    const documents = {
      '/issuer.json': () => issuerProfile(base),
      '/revocations.json': () => revocationList(base),
      ['/tx/' + TESTNET_TX]: () => transaction(merkleRoot.value)
    };
    if (path in documents && merkleRoot.value) {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(documents[path]()));
    } else {
      response.writeHead(404, { 'content-type': 'text/plain' });
      response.end('not here');
    }
  });
  return new Promise(resolve => server.listen(0, '127.0.0.1', () => resolve(server)));
}

async function withStub () {
  // This process: the stub's key and certificate, the stub, the two certificates; then the verifier's process.
  const dir = mkdtempSync(join(tmpdir(), 'blockcerts-peer-'));
  let server = null;
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
      '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
    const counter = { requests: 0 };
    const merkleRoot = { value: null };
    server = await stubServer(dir, counter, merkleRoot);
    const base = `https://127.0.0.1:${server.address().port}`;
    const anchored = await signed(base + '/issuer.json', 'blink:btc:testnet:' + TESTNET_TX);
    const mocknet = await signed(base + '/issuer.json',
      'blink:mocknet:mocknet:' + createHash('md5').update(TESTNET_TX).digest('hex'));
    merkleRoot.value = anchored.merkleRoot;
    writeFileSync(join(dir, 'certificates.json'), JSON.stringify({ anchored: anchored.certificate,
      mocknet: mocknet.certificate, explorer: base + '/tx/{transaction_id}' }));
    const child = spawn(process.execPath, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
      env: { ...process.env, NODE_EXTRA_CA_CERTS: join(dir, 'cert.pem'),
        BLOCKCERTS_PEER_CERTIFICATES: join(dir, 'certificates.json') },
      stdio: ['ignore', 'pipe', 'inherit']
    });
    let out = '';
    child.stdout.on('data', chunk => { out += chunk; });
    const code = await new Promise(resolve => child.on('close', resolve));
    const line = out.trim().split('\n').filter(l => l.startsWith('{')).pop();
    const found = line ? JSON.parse(line) : { status: 'error', message: `the verifier process exited ${code}` };
    if (found.status === 'verified') {
      // Per pair of checks (one anchored, one mocknet), every check of the run counted.
      found.http_requests_per_check_pair = counter.requests / found.pairs;
      delete found.pairs;
    }
    console.log(JSON.stringify(found));
    process.exitCode = code ?? 1;
  } finally {
    server?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main (certificatesFile) {
  const { anchored, mocknet, explorer } = JSON.parse(readFileSync(certificatesFile, 'utf8'));
  // The anchoring transaction comes from the stub: the verifier's own option for a blockchain explorer of one's
  // own, asked before its default ones (priority 0).
  const options = { explorerAPIs: [{ serviceURL: explorer, priority: 0, parsingFunction: readTransaction }] };
  const check = async (certificate) => {
    const cert = new Certificate(JSON.parse(JSON.stringify(certificate)), options);
    await cert.init();
    return cert.verify();
  };
  const silence = console.log; // the verifier logs its steps; only this script's line goes to stdout
  try {
    console.log = () => {};
    for (const [name, certificate] of [['anchored', anchored], ['mocknet', mocknet]]) {
      const first = await check(certificate);
      if (first.status !== 'success') {
        console.log = silence;
        console.log(JSON.stringify({ status: 'failed', certificate: name, message: first.message }));
        process.exitCode = 1;
        return;
      }
    }
    for (let i = 0; i < WARMUP; i++) {
      await check(anchored);
      await check(mocknet);
    }
    const samples = { anchored: [], mocknet: [] };
    for (let i = 0; i < runs; i++) { // in turn, as bench/verification.py times its paths
      for (const [name, certificate] of [['anchored', anchored], ['mocknet', mocknet]]) {
        const began = process.hrtime.bigint();
        const result = await check(certificate);
        samples[name].push(Number(process.hrtime.bigint() - began) / 1e6);
        if (result.status !== 'success') throw new Error(`${name} check ${i} did not verify: ${result.message}`);
      }
    }
    const round = x => Math.round(x * 1000) / 1000;
    const figures = found => {
      const sorted = [...found].sort((a, b) => a - b);
      return { p50: round(percentile(sorted, 0.5)), p99: round(percentile(sorted, 0.99)) };
    };
    console.log = silence;
    console.log(JSON.stringify({
      status: 'verified',
      verifier: '@blockcerts/cert-verifier-js ' + require('@blockcerts/cert-verifier-js/package.json').version,
      node: process.version,
      certificate: 'Blockcerts v3, MerkleProof2019; issuer profile, revocation list and (anchored) the anchoring ' +
        'transaction from a stub HTTPS server in its own process on a loopback port',
      runs,
      verify_ms: figures(samples.anchored),
      verify_ms_mocknet: figures(samples.mocknet),
      samples_ms: { anchored: samples.anchored.map(round), mocknet: samples.mocknet.map(round) }, // in run order
      pairs: 1 + WARMUP + runs
    }));
  } finally {
    console.log = silence;
  }
}

const fail = error => {
  console.log(JSON.stringify({ status: 'error', message: String(error?.stack ?? error).slice(0, 600) }));
  process.exitCode = 1;
};
if (!process.env.BLOCKCERTS_PEER_CERTIFICATES) {
  withStub().catch(fail);
} else {
  main(process.env.BLOCKCERTS_PEER_CERTIFICATES).catch(fail);
}
