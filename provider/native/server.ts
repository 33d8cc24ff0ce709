// The plugin's gRPC ResourceProvider service: wire shapes on and off, everything else in
// provider.ts. Served here rather than by @pulumi/pulumi/provider's `main`, whose server ignores
// Configure's arguments and answers CheckConfig/DiffConfig UNIMPLEMENTED (3.248 through 3.276):
// provider configuration would never reach the plugin.
import * as path from "node:path";
import type * as Grpc from "@grpc/grpc-js";
import type * as AnyProto from "google-protobuf/google/protobuf/any_pb";
import type * as EmptyProto from "google-protobuf/google/protobuf/empty_pb";
import type * as StructProto from "google-protobuf/google/protobuf/struct_pb";
import { ValidationError } from "../../sdk";
import type { CheckFailure } from "../lifecycle/inputs";
import { InvalidArgumentError } from "../provider-session";
import { type NativeDiff, NativeProvider, ResourceInitError } from "./provider";
import { packageVersion, schema } from "./schema";
import type { Plain } from "./values";

// The stubs @pulumi/pulumi ships (protoc's JavaScript), with the gRPC runtime and protobuf library
// they were loaded with: a second copy of @grpc/grpc-js (say, one installed beside this package)
// would refuse the other's credentials and messages. So both are resolved from @pulumi/pulumi.
const pulumiDir = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
const fromPulumi = (id: string) => require(require.resolve(id, { paths: [pulumiDir] }));
const grpc: typeof Grpc = fromPulumi("@grpc/grpc-js");
const anyproto: typeof AnyProto = fromPulumi("google-protobuf/google/protobuf/any_pb");
const emptyproto: typeof EmptyProto = fromPulumi("google-protobuf/google/protobuf/empty_pb");
const structproto: typeof StructProto = fromPulumi("google-protobuf/google/protobuf/struct_pb");
const provproto = require("@pulumi/pulumi/proto/provider_pb");
const provrpc = require("@pulumi/pulumi/proto/provider_grpc_pb");
const plugproto = require("@pulumi/pulumi/proto/plugin_pb");
const engineproto = require("@pulumi/pulumi/proto/engine_pb");
const enginerpc = require("@pulumi/pulumi/proto/engine_grpc_pb");
const statusproto = require("@pulumi/pulumi/proto/status_pb");

// biome-ignore lint/suspicious/noExplicitAny: the stubs are required untyped (protoc's JavaScript)
type Message = any;
type Call = { request: Message; metadata?: Grpc.Metadata };
type Callback = (error: Grpc.ServiceError | Partial<Grpc.StatusObject> | null, value?: unknown) => void;

const plain = (struct: StructProto.Struct | undefined): Plain => (struct ? (struct.toJavaScript() as Plain) : {});
const struct = (value: Plain): StructProto.Struct => structproto.Struct.fromJavaScript(value as never);

/** The resource type in a URN (`urn:pulumi:stack::project::parent$itential:index:TaskClaim::name`). */
export function typeOf(urn: string): string {
  const parts = urn.split("::");
  const qualified = parts[parts.length - 2] ?? "";
  return qualified.split("$").pop() ?? qualified;
}

/** An error as the engine takes it; a possibly applied write carries what state should record. */
function grpcError(error: unknown): Partial<Grpc.StatusObject> {
  const message = error instanceof Error ? error.message : String(error);
  const metadata = new grpc.Metadata();
  if (error instanceof ResourceInitError) {
    const detail = new provproto.ErrorResourceInitFailed();
    detail.setId(error.id);
    detail.setProperties(struct(error.properties));
    detail.setReasonsList(error.reasons);
    const details = new anyproto.Any();
    details.pack(detail.serializeBinary(), "pulumirpc.ErrorResourceInitFailed");
    const status = new statusproto.Status();
    status.setCode(grpc.status.UNKNOWN);
    status.setMessage(message);
    status.addDetails(details);
    metadata.add("grpc-status-details-bin", Buffer.from(status.serializeBinary()));
  }
  // An argument the lookup or resource refused (findTask's jobId "nothex"): the engine shows the
  // message as the caller's mistake, not as a provider failure.
  const invalid = error instanceof ValidationError || error instanceof InvalidArgumentError;
  const code = invalid ? grpc.status.INVALID_ARGUMENT : grpc.status.UNKNOWN;
  return { code, details: message, metadata };
}

function failuresOf(response: { addFailures(f: unknown): void }, failures: CheckFailure[]) {
  for (const f of failures) {
    const failure = new provproto.CheckFailure();
    failure.setProperty(f.property);
    failure.setReason(f.reason);
    response.addFailures(failure);
  }
}

function diffResponse(diff: NativeDiff) {
  const response = new provproto.DiffResponse();
  response.setChanges(
    diff.changes ? provproto.DiffResponse.DiffChanges.DIFF_SOME : provproto.DiffResponse.DiffChanges.DIFF_NONE,
  );
  response.setReplacesList(diff.replaces);
  response.setDeletebeforereplace(diff.deleteBeforeReplace);
  response.setDiffsList(Object.keys(diff.detailed));
  const map = response.getDetaileddiffMap();
  for (const [key, { kind, inputDiff }] of Object.entries(diff.detailed)) {
    const property = new provproto.PropertyDiff();
    property.setKind(kind);
    property.setInputdiff(inputDiff);
    map.set(key, property);
  }
  response.setHasdetaileddiff(true);
  return response;
}

export class ResourceProviderService {
  readonly provider: NativeProvider;
  #engine: { log(request: unknown, callback: (error: unknown) => void): void } | undefined;
  /** The provider's URN from CheckConfig, for an engine whose Configure does not send it. */
  #urn: string | undefined;

  constructor(engineAddress?: string) {
    this.provider = new NativeProvider((message) => void this.log(engineproto.LogSeverity.WARNING, message));
    if (engineAddress) this.attachTo(engineAddress);
  }

  attachTo(address: string): void {
    this.#engine = new enginerpc.EngineClient(address, grpc.credentials.createInsecure());
  }

  /** A message shown with the resource (`urn`) in the engine's output; stderr without an engine. */
  log(severity: number, message: string, urn = ""): Promise<void> {
    const engine = this.#engine;
    if (!engine) {
      process.stderr.write(`${message}\n`);
      return Promise.resolve();
    }
    const request = new engineproto.LogRequest();
    request.setSeverity(severity);
    request.setMessage(message);
    request.setUrn(urn);
    return new Promise((resolve) =>
      engine.log(request, (error) => {
        // Not swallowed: a message the engine did not take (a diff's reason, a config warning) is
        // still seen, in the plugin's stderr (shown with -v, or --logtostderr).
        if (error) {
          const why = error instanceof Error ? error.message : String(error);
          process.stderr.write(`pulumi-resource-itential: engine log failed (${why}): ${message}\n`);
        }
        resolve();
      }),
    );
  }

  /** The methods grpc-js serves: each answers once, errors as the engine takes them. */
  handlers(): Record<string, (call: Call, callback: Callback) => void> {
    const unary =
      (work: (request: Message) => unknown | Promise<unknown>) =>
      (call: Call, callback: Callback): void => {
        Promise.resolve()
          .then(() => work(call.request))
          .then(
            (response) => callback(null, response),
            (error) => callback(grpcError(error)),
          );
      };
    const unimplemented = (name: string) => (_call: Call, callback: Callback) =>
      callback({ code: grpc.status.UNIMPLEMENTED, details: `${name} is not implemented by the itential provider` });
    const p = this.provider;
    return {
      handshake: unimplemented("Handshake"),
      parameterize: unimplemented("Parameterize"),
      construct: unimplemented("Construct"),
      call: unimplemented("Call"),
      getMapping: unary(() => new provproto.GetMappingResponse()),
      getMappings: unary(() => new provproto.GetMappingsResponse()),
      getPluginInfo: unary(() => {
        const info = new plugproto.PluginInfo();
        info.setVersion(packageVersion());
        return info;
      }),
      getSchema: unary((request) => {
        if (request.getVersion() !== 0) throw new Error(`unsupported schema version ${request.getVersion()}`);
        const response = new provproto.GetSchemaResponse();
        response.setSchema(JSON.stringify(schema()));
        return response;
      }),
      cancel: unary(() => new emptyproto.Empty()),
      attach: unary((request) => {
        this.attachTo(request.getAddress());
        return new emptyproto.Empty();
      }),
      checkConfig: unary((request) => {
        this.#urn = request.getUrn();
        const { inputs, failures } = p.checkConfig(request.getUrn(), plain(request.getNews()));
        const response = new provproto.CheckResponse();
        response.setInputs(struct(inputs));
        failuresOf(response, failures);
        return response;
      }),
      diffConfig: unary((request) => diffResponse(p.diffConfig(plain(request.getOlds()), plain(request.getNews())))),
      configure: unary((request) => {
        const args: Plain = {};
        if (request.getArgs()) Object.assign(args, plain(request.getArgs()));
        else {
          // Engines that send only the flat variables: `itential:config:baseUrl` → `baseUrl`.
          for (const [key, value] of request.getVariablesMap().entries()) {
            args[String(key).replace(/^itential:(config:)?/, "")] = value;
          }
        }
        // The stubs of older @pulumi/pulumi (3.139.0) have no ConfigureRequest.urn, and older engines send
        // none: then the origin CheckConfig recorded in the inputs (provider.ts, ORIGIN_KEY).
        p.configure(typeof request.getUrn === "function" ? request.getUrn() : undefined, args, this.#urn);
        const response = new provproto.ConfigureResponse();
        response.setAcceptsecrets(true);
        // Outputs, resource references and preview creates are not taken: the engine sends plain
        // values (secrets aside), and never asks this provider to create anything in preview.
        response.setAcceptresources(false);
        response.setAcceptoutputs(false);
        response.setSupportspreview(false);
        return response;
      }),
      check: unary((request) => {
        const { inputs, failures } = p.check(typeOf(request.getUrn()), plain(request.getNews()), request.getUrn());
        const response = new provproto.CheckResponse();
        response.setInputs(struct(inputs));
        failuresOf(response, failures);
        return response;
      }),
      diff: unary(async (request) => {
        const urn = request.getUrn();
        const diff = p.diff(typeOf(urn), plain(request.getOlds()), plain(request.getNews()), urn);
        // The plan says why, next to the resource.
        for (const reason of diff.reasons) await this.log(engineproto.LogSeverity.INFO, reason, urn);
        return diffResponse(diff);
      }),
      create: unary(async (request) => {
        const created = await p.create(typeOf(request.getUrn()), plain(request.getProperties()));
        const response = new provproto.CreateResponse();
        response.setId(created.id);
        response.setProperties(struct(created.properties));
        return response;
      }),
      read: unary(async (request) => {
        const read = await p.read(
          typeOf(request.getUrn()),
          request.getId(),
          plain(request.getProperties()),
          plain(request.getInputs()),
        );
        const response = new provproto.ReadResponse();
        response.setId(read.id);
        response.setProperties(struct(read.properties));
        response.setInputs(struct(read.inputs));
        return response;
      }),
      update: unary(async (request) => {
        const properties = await p.update(
          typeOf(request.getUrn()),
          request.getId(),
          plain(request.getOlds()),
          plain(request.getNews()),
        );
        const response = new provproto.UpdateResponse();
        response.setProperties(struct(properties));
        return response;
      }),
      delete: unary(async (request) => {
        await p.delete(typeOf(request.getUrn()), plain(request.getProperties()));
        return new emptyproto.Empty();
      }),
      invoke: unary(async (request) => {
        const { result, failures } = await p.invoke(request.getTok(), plain(request.getArgs()));
        const response = new provproto.InvokeResponse();
        if (result) response.setReturn(struct(result as unknown as Plain));
        failuresOf(response, failures);
        return response;
      }),
    };
  }
}

/** Flags the engine passes with a separate value (`--tracing tcp://…`), which is not the address. */
const FLAGS_WITH_VALUE = new Set(["--tracing", "-tracing"]);

/**
 * The engine's address among a plugin's arguments: the last positional one. The engine puts its
 * flags first (`-v=9`, `--logtostderr`, `--tracing <endpoint>`), so the first positional argument
 * may be the tracing endpoint, and logging to it would vanish.
 */
export function engineAddressOf(args: readonly string[]): string | undefined {
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (FLAGS_WITH_VALUE.has(arg)) i++;
    else if (!arg.startsWith("-")) positional.push(arg);
  }
  return positional[positional.length - 1];
}

/**
 * Serves the provider on a free local port and prints the port, as the engine expects of a plugin
 * (`args`: flags such as -v=9, which are ignored, then the engine's address).
 */
export async function serve(args: readonly string[]): Promise<{ port: number; server: Grpc.Server }> {
  const engineAddress = engineAddressOf(args);
  const service = new ResourceProviderService(engineAddress);
  const server = new grpc.Server({ "grpc.max_receive_message_length": 400 * 1024 * 1024 });
  server.addService(provrpc.ResourceProviderService, service.handlers() as Grpc.UntypedServiceImplementation);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  return { port, server };
}
