// Certificates for serving HTTPS with no dependency and no openssl binary: node:crypto makes the
// keys and signatures, and the few DER structures of an X.509 v3 certificate (RFC 5280) are
// written here. Each run gets its own CA; its private key is only held in memory while it signs a
// server certificate (SAN localhost, 127.0.0.1, ::1) and, for mutual TLS, a client certificate,
// and is then dropped, so the CA a user trusts for this emulator can sign nothing else.
import * as crypto from "node:crypto";

/** What a generated TLS set-up gives: PEM text. */
export interface GeneratedTls {
  /** The CA that signed both certificates: what clients trust (`itential:caCert`, `ITENTIAL_CA_FILE`). */
  ca: string;
  serverCert: string;
  serverKey: string;
  /** A client certificate (extended key usage clientAuth) for mutual TLS, and its key. */
  clientCert: string;
  clientKey: string;
}

// --- DER (ITU-T X.690), just what certificates use ---------------------------------------------

function tlv(tag: number, content: Buffer): Buffer {
  const length = content.length;
  if (length < 0x80) return Buffer.concat([Buffer.from([tag, length]), content]);
  const bytes: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n % 256);
  return Buffer.concat([Buffer.from([tag, 0x80 | bytes.length, ...bytes]), content]);
}

const sequence = (...items: Buffer[]) => tlv(0x30, Buffer.concat(items));
const set = (...items: Buffer[]) => tlv(0x31, Buffer.concat(items));
const octetString = (bytes: Buffer) => tlv(0x04, bytes);
const utf8String = (text: string) => tlv(0x0c, Buffer.from(text, "utf8"));
const boolean = (value: boolean) => tlv(0x01, Buffer.from([value ? 0xff : 0x00]));
/** `[n] EXPLICIT`: a constructed context tag around a whole encoding. */
const explicit = (n: number, inner: Buffer) => tlv(0xa0 | n, inner);

/** A non-negative INTEGER from big-endian bytes (minimal, with a 0 byte when the top bit is set). */
function unsignedInteger(bytes: Buffer): Buffer {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  const trimmed = bytes.subarray(start);
  return tlv(0x02, (trimmed[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.from([0]), trimmed]) : trimmed);
}

function objectIdentifier(dotted: string): Buffer {
  const [first = 0, second = 0, ...rest] = dotted.split(".").map(Number);
  const bytes = [first * 40 + second];
  for (const arc of rest) {
    const base128 = [arc & 0x7f];
    for (let n = Math.floor(arc / 128); n > 0; n = Math.floor(n / 128)) base128.unshift((n & 0x7f) | 0x80);
    bytes.push(...base128);
  }
  return tlv(0x06, Buffer.from(bytes));
}

/** A BIT STRING of named bits (bit 0 is the most significant), with the unused trailing bits counted. */
function namedBits(bits: number[]): Buffer {
  const last = Math.max(...bits);
  const bytes = Buffer.alloc(Math.floor(last / 8) + 1);
  for (const bit of bits) bytes[Math.floor(bit / 8)] = (bytes[Math.floor(bit / 8)] ?? 0) | (0x80 >> (bit % 8));
  return tlv(0x03, Buffer.concat([Buffer.from([7 - (last % 8)]), bytes]));
}

const bitString = (bytes: Buffer) => tlv(0x03, Buffer.concat([Buffer.from([0]), bytes]));

/** UTCTime through 2049, GeneralizedTime after, as RFC 5280 requires. */
function time(date: Date): Buffer {
  const iso = date
    .toISOString()
    .replace(/[-:T]/g, "")
    .replace(/\.\d{3}/, ""); // YYYYMMDDHHMMSSZ
  return date.getUTCFullYear() < 2050 ? tlv(0x17, Buffer.from(iso.slice(2))) : tlv(0x18, Buffer.from(iso));
}

// --- X.509 -------------------------------------------------------------------------------------

const OID = {
  ecdsaWithSha256: "1.2.840.10045.4.3.2",
  commonName: "2.5.4.3",
  organization: "2.5.4.10",
  subjectKeyIdentifier: "2.5.29.14",
  keyUsage: "2.5.29.15",
  subjectAltName: "2.5.29.17",
  basicConstraints: "2.5.29.19",
  authorityKeyIdentifier: "2.5.29.35",
  extKeyUsage: "2.5.29.37",
  serverAuth: "1.3.6.1.5.5.7.3.1",
  clientAuth: "1.3.6.1.5.5.7.3.2",
};

const KEY_USAGE = { digitalSignature: 0, keyCertSign: 5, cRLSign: 6 };

function name(commonName: string): Buffer {
  return sequence(
    set(sequence(objectIdentifier(OID.organization), utf8String("pulumi-itential emulator"))),
    set(sequence(objectIdentifier(OID.commonName), utf8String(commonName))),
  );
}

function extension(oid: string, critical: boolean, value: Buffer): Buffer {
  return sequence(objectIdentifier(oid), ...(critical ? [boolean(true)] : []), octetString(value));
}

/** SAN entries: `dNSName` ([2] IA5String) and `iPAddress` ([7] the address bytes), both implicit. */
function subjectAltName(names: { dns: string[]; ips: string[] }): Buffer {
  const entries = [
    ...names.dns.map((dns) => tlv(0x82, Buffer.from(dns, "ascii"))),
    ...names.ips.map((ip) => tlv(0x87, ipBytes(ip))),
  ];
  return sequence(...entries);
}

function ipBytes(ip: string): Buffer {
  if (ip.includes(":")) {
    // IPv6, with at most one "::"
    const [head = "", tail = ""] = ip.split("::");
    const groups = (part: string) => (part === "" ? [] : part.split(":").map((g) => Number.parseInt(g, 16)));
    const left = groups(head);
    const right = ip.includes("::") ? groups(tail) : [];
    const all = [...left, ...new Array(8 - left.length - right.length).fill(0), ...right];
    return Buffer.from(all.flatMap((g) => [g >> 8, g & 0xff]));
  }
  return Buffer.from(ip.split(".").map(Number));
}

/** The key identifier RFC 5280 suggests: SHA-1 of the public key's bits. */
function keyIdentifier(publicKey: crypto.KeyObject): Buffer {
  const spki = publicKey.export({ type: "spki", format: "der" });
  // The BIT STRING is the SPKI's last element; for P-256 its 65 key bytes end the encoding.
  return crypto
    .createHash("sha1")
    .update(spki.subarray(spki.length - 65))
    .digest();
}

interface CertificateSpec {
  subject: string;
  publicKey: crypto.KeyObject;
  issuer: string;
  issuerKey: crypto.KeyObject;
  issuerPublicKey: crypto.KeyObject;
  ca: boolean;
  usage?: "serverAuth" | "clientAuth";
  altNames?: { dns: string[]; ips: string[] };
  notBefore: Date;
  notAfter: Date;
}

function certificate(spec: CertificateSpec): string {
  const signatureAlgorithm = sequence(objectIdentifier(OID.ecdsaWithSha256));
  const extensions = [
    extension(OID.basicConstraints, true, spec.ca ? sequence(boolean(true)) : sequence()),
    extension(
      OID.keyUsage,
      true,
      namedBits(spec.ca ? [KEY_USAGE.digitalSignature, KEY_USAGE.keyCertSign, KEY_USAGE.cRLSign] : [0]),
    ),
    extension(OID.subjectKeyIdentifier, false, octetString(keyIdentifier(spec.publicKey))),
  ];
  if (!spec.ca) {
    extensions.push(
      extension(OID.authorityKeyIdentifier, false, sequence(tlv(0x80, keyIdentifier(spec.issuerPublicKey)))),
    );
  }
  if (spec.usage) extensions.push(extension(OID.extKeyUsage, false, sequence(objectIdentifier(OID[spec.usage]))));
  if (spec.altNames) extensions.push(extension(OID.subjectAltName, false, subjectAltName(spec.altNames)));

  const tbs = sequence(
    explicit(0, unsignedInteger(Buffer.from([2]))), // v3
    unsignedInteger(Buffer.concat([Buffer.from([0x01]), crypto.randomBytes(15)])), // positive, 16 bytes
    signatureAlgorithm,
    name(spec.issuer),
    sequence(time(spec.notBefore), time(spec.notAfter)),
    name(spec.subject),
    spec.publicKey.export({ type: "spki", format: "der" }),
    explicit(3, sequence(...extensions)),
  );
  // ECDSA signatures come from node:crypto DER-encoded (Ecdsa-Sig-Value), as X.509 wants them.
  const signature = crypto.sign("sha256", tbs, spec.issuerKey);
  const der = sequence(tbs, signatureAlgorithm, bitString(signature));
  return pem("CERTIFICATE", der);
}

function pem(label: string, der: Buffer): string {
  const lines = der.toString("base64").match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}

const keyPair = () => crypto.generateKeyPairSync("ec", { namedCurve: "prime256v1" });

/**
 * A CA made for this run, a server certificate for this machine's names, and a client
 * certificate, valid from an hour ago (clock skew) for `days` days. EC P-256 keys: fast to make.
 */
export function generateTls(options: { days?: number; now?: Date } = {}): GeneratedTls {
  const now = options.now ?? new Date();
  const notBefore = new Date(now.getTime() - 3600_000);
  const notAfter = new Date(now.getTime() + (options.days ?? 365) * 86_400_000);
  const ca = keyPair();
  const caName = `pulumi-itential emulator CA ${now.toISOString()}`;
  const signedBy = { issuer: caName, issuerKey: ca.privateKey, issuerPublicKey: ca.publicKey, notBefore, notAfter };
  const server = keyPair();
  const client = keyPair();
  const exportKey = (key: crypto.KeyObject) => key.export({ type: "pkcs8", format: "pem" }).toString();
  return {
    ca: certificate({ ...signedBy, subject: caName, publicKey: ca.publicKey, ca: true }),
    serverCert: certificate({
      ...signedBy,
      subject: "localhost",
      publicKey: server.publicKey,
      ca: false,
      usage: "serverAuth",
      altNames: { dns: ["localhost"], ips: ["127.0.0.1", "::1"] },
    }),
    serverKey: exportKey(server.privateKey),
    clientCert: certificate({
      ...signedBy,
      subject: "pulumi-itential emulator client",
      publicKey: client.publicKey,
      ca: false,
      usage: "clientAuth",
    }),
    clientKey: exportKey(client.privateKey),
  };
}
