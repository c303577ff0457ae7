// Run it: ./exxec run examples/hello.js   (or on GraalJS: ./exxec run -p graalvm examples/hello.js)
// main() may be sync or async; what it returns comes back as JSON.
async function main() {
  await new Promise((resolve) => setTimeout(resolve, 100)); // stands for real async work
  return { greeting: 'Hello from exxec!', language: runtime() };
}

// The runtime it really ran on: Node.js, or GraalJS (the graalvm provider, which is not Node.js and
// says so: its process.versions has a graaljs version and no node).
function runtime() {
  const versions = (typeof process === 'object' && process.versions) || {};
  if (versions.node) return `Node.js ${versions.node}`;
  if (versions.graaljs) return `GraalJS ${versions.graaljs}`;
  return 'JavaScript';
}
