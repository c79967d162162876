// Times Blockcerts' verifier (@blockcerts/cert-verifier-js) verifying one Blockcerts v3 certificate, for
// bench/verification.py. Usage: node time_verify.mjs [runs]. Prints one JSON line.
//
// The certificate is made here, the way an issuer makes one: the credential is canonicalised (URDNA2015 N-Quads)
// and hashed, and a MerkleProof2019 proof of a batch of one is anchored on Blockcerts' "mocknet" test chain, so
// no blockchain is asked. Its issuer profile and revocation list are served by a stub server on a loopback port,
// so the verifier's lookups (each check fetches both) go over the network stack as GreenCert's do. The
// verifier upgrades every http:// URL to https://, so the stub speaks TLS with a certificate made for the run
// (openssl) and trusted through NODE_EXTRA_CA_CERTS: the script serves the stub and starts itself again, as the
// verifier, with it set.
// Each timed check is what a verifier does per certificate: new Certificate(json), init() (parse, fetch the
// issuer profile), verify().

import https from 'node:https';
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
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

function issuerProfile (base) {
  return {
    '@context': ['https://w3id.org/openbadges/v2', 'https://w3id.org/blockcerts/v3'],
    id: base + '/issuer.json',
    type: 'Profile',
    name: 'GreenCert benchmark issuer',
    email: 'bench@greencert.invalid',
    url: 'https://greencert.invalid',
    revocationList: base + '/revocations.json' // so that each check asks whether it was revoked, as GreenCert's does
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

async function signed (issuerUrl) {
  const document = credential(issuerUrl);
  const hash = await targetHash(document);
  const proofValue = new Encoder({
    path: [],
    merkleRoot: hash, // a batch of one: its root is its only leaf
    targetHash: hash,
    anchors: ['blink:mocknet:mocknet:' + createHash('md5').update(hash).digest('hex')]
  }).encode();
  return {
    ...document,
    proof: {
      type: 'MerkleProof2019',
      created: '2026-04-01T00:00:00Z',
      proofValue,
      proofPurpose: 'assertionMethod',
      verificationMethod: issuerUrl + '#key-1'
    }
  };
}

function percentile (sorted, p) {
  return sorted[Math.max(0, Math.ceil(sorted.length * p) - 1)];
}

function stubServer (tls, counter) {
  // The issuer's documents over HTTPS on a loopback port; counts the requests it answers.
  const server = https.createServer({
    key: readFileSync(join(tls, 'key.pem')),
    cert: readFileSync(join(tls, 'cert.pem'))
  }, (request, response) => {
    counter.requests += 1;
    const base = `https://127.0.0.1:${server.address().port}`;
    const documents = { '/issuer.json': issuerProfile, '/revocations.json': revocationList };
    const found = documents[request.url.split('?')[0]];
    if (found) {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(found(base)));
    } else {
      response.writeHead(404, { 'content-type': 'text/plain' });
      response.end('not here');
    }
  });
  return new Promise(resolve => server.listen(0, '127.0.0.1', () => resolve(server)));
}

async function withStub () {
  // This process: the stub's key and self-signed certificate for 127.0.0.1, the stub server, and the verifier in
  // a process of its own (this script again) that trusts that certificate — as GreenCert's node is a process of
  // its own in bench/verification.py.
  const dir = mkdtempSync(join(tmpdir(), 'blockcerts-peer-'));
  let server = null;
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
      '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
    const counter = { requests: 0 };
    server = await stubServer(dir, counter);
    const child = spawn(process.execPath, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
      env: { ...process.env, NODE_EXTRA_CA_CERTS: join(dir, 'cert.pem'),
        BLOCKCERTS_PEER_STUB: `https://127.0.0.1:${server.address().port}` },
      stdio: ['ignore', 'pipe', 'inherit']
    });
    let out = '';
    child.stdout.on('data', chunk => { out += chunk; });
    const code = await new Promise(resolve => child.on('close', resolve));
    const line = out.trim().split('\n').filter(l => l.startsWith('{')).pop();
    const found = line ? JSON.parse(line) : { status: 'error', message: `the verifier process exited ${code}` };
    if (found.status === 'verified') {
      found.http_requests_per_check = counter.requests / found.checks;
      delete found.checks;
    }
    console.log(JSON.stringify(found));
    process.exitCode = code ?? 1;
  } finally {
    server?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main (base) {
  const certificate = await signed(base + '/issuer.json');
  const silence = console.log; // the verifier logs its steps; only this script's line goes to stdout
  const check = async () => {
    const cert = new Certificate(JSON.parse(JSON.stringify(certificate)));
    await cert.init();
    return cert.verify();
  };
  try {
    console.log = () => {};
    const first = await check();
    if (first.status !== 'success') {
      console.log = silence;
      console.log(JSON.stringify({ status: 'failed', message: first.message }));
      process.exitCode = 1;
      return;
    }
    for (let i = 0; i < WARMUP; i++) await check();
    const samples = [];
    for (let i = 0; i < runs; i++) {
      const began = process.hrtime.bigint();
      const result = await check();
      samples.push(Number(process.hrtime.bigint() - began) / 1e6);
      if (result.status !== 'success') throw new Error(`check ${i} did not verify: ${result.message}`);
    }
    samples.sort((a, b) => a - b);
    const round = x => Math.round(x * 1000) / 1000;
    console.log = silence;
    console.log(JSON.stringify({
      status: 'verified',
      verifier: '@blockcerts/cert-verifier-js ' + require('@blockcerts/cert-verifier-js/package.json').version,
      node: process.version,
      certificate: 'Blockcerts v3, MerkleProof2019 anchored on mocknet (no blockchain lookup), issuer profile ' +
        'and revocation list from a stub HTTPS server in its own process on a loopback port (the verifier ' +
        'upgrades http to https)',
      runs,
      verify_ms: { p50: round(percentile(samples, 0.5)), p99: round(percentile(samples, 0.99)) },
      checks: 1 + WARMUP + runs
    }));
  } finally {
    console.log = silence;
  }
}

if (!process.env.BLOCKCERTS_PEER_STUB) {
  withStub().catch(error => {
    console.log(JSON.stringify({ status: 'error', message: String(error?.stack ?? error).slice(0, 600) }));
    process.exitCode = 1;
  });
} else {
  main(process.env.BLOCKCERTS_PEER_STUB).catch(error => {
    console.log(JSON.stringify({ status: 'error', message: String(error?.stack ?? error).slice(0, 600) }));
    process.exitCode = 1;
  });
}
