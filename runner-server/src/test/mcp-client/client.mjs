// Drives the official MCP TypeScript SDK client against QuackRunner and prints one JSON report
// of what it saw on stdout; McpTypeScriptClientIT asserts on the report. Configured by env:
//   QR_TRANSPORT   "http" or "stdio"
//   QR_URL         http: the /mcp endpoint        QR_TOKEN  http: the bearer token
//   QR_COMMAND     stdio: JSON array, the server command line (e.g. ["bin/runner","mcp",...])
//   QR_RUN         "1": call python.run with a progress token (and read its artifact)
//   QR_FOREIGN_RUN a run id to try to read (another tenant's, or one this session may read)
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { createHash } from "node:crypto";

const env = process.env;
const report = {};

function err(e) {
  return { code: e?.code ?? null, message: String(e?.message ?? e) };
}

async function step(name, fn) {
  try {
    report[name] = await fn();
  } catch (e) {
    report[name] = { error: err(e) };
  }
}

let transport;
if (env.QR_TRANSPORT === "stdio") {
  const [command, ...args] = JSON.parse(env.QR_COMMAND);
  transport = new StdioClientTransport({ command, args, stderr: "inherit", env: { ...process.env } });
} else {
  transport = new StreamableHTTPClientTransport(new URL(env.QR_URL), {
    requestInit: { headers: { Authorization: `Bearer ${env.QR_TOKEN}` } },
  });
}

const client = new Client({ name: "ts-sdk-it", version: "1.32.2" });
await client.connect(transport);
report.server = client.getServerVersion();
report.protocolVersion = transport.protocolVersion ?? null;

await step("tools", async () => (await client.listTools()).tools.map((t) => t.name));
await step("templates", async () =>
  (await client.listResourceTemplates()).resourceTemplates.map((t) => t.uriTemplate),
);

const script =
  "import os\nprint('hello from ts')\nopen(os.environ['OUT_DIR'] + '/answer.txt', 'w').write('42\\n')\n";
const args = {
  params: { script: "hello.py" },
  inputs: [{ name: "hello.py", content_base64: Buffer.from(script).toString("base64") }],
};

if (env.QR_RUN === "1") {
  await step("run", async () => {
    const progress = [];
    const r = await client.callTool({ name: "python.run", arguments: args }, undefined, {
      onprogress: (p) => progress.push(p),
      timeout: 120000,
    });
    const s = r.structuredContent;
    const links = r.content.filter((c) => c.type === "resource_link").map((c) => c.uri);
    const artifactUri = links.find((u) => u.endsWith("/artifacts/answer.txt"));
    const res = await client.readResource({ uri: artifactUri });
    const text = res.contents[0].text ?? Buffer.from(res.contents[0].blob, "base64").toString();
    const verify = await client.callTool({ name: "verify_receipt", arguments: { run_id: s.id } });
    return {
      isError: r.isError ?? false,
      id: s.id,
      status: s.status,
      artifactSha256: s.artifacts[0]?.sha256,
      resourceSha256: createHash("sha256").update(text).digest("hex"),
      resourceMimeType: res.contents[0].mimeType,
      textMatchesStructured: JSON.stringify(JSON.parse(r.content[0].text)) === JSON.stringify(s),
      progress: progress.map((p) => ({ progress: p.progress, message: p.message })),
      links,
      verify: verify.structuredContent,
    };
  });
  await step("schemaViolation", async () => {
    const r = await client.callTool({ name: "python.run", arguments: { params: { script: 5 } } });
    return { unexpected: r };
  });
}

await step("runWithoutExecution", async () => {
  const r = await client.callTool({ name: "python.run", arguments: args });
  return { unexpected: r.structuredContent?.status ?? r };
});

await step("listRuns", async () =>
  (await client.callTool({ name: "list_runs", arguments: {} })).structuredContent.runs.map((r) => r.id),
);

if (env.QR_FOREIGN_RUN) {
  await step("foreignRun", async () => {
    const r = await client.callTool({ name: "get_run", arguments: { run_id: env.QR_FOREIGN_RUN } });
    return { status: r.structuredContent?.status, isError: r.isError ?? false };
  });
  await step("foreignVerify", async () => {
    const r = await client.callTool({
      name: "verify_receipt",
      arguments: { run_id: env.QR_FOREIGN_RUN },
    });
    return r.structuredContent;
  });
}

await client.close();
process.stdout.write(JSON.stringify(report) + "\n");
