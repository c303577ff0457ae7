// Run it: ./exxec run examples/hello.js
// main() may be sync or async; what it returns comes back as JSON.
async function main() {
  await new Promise((resolve) => setTimeout(resolve, 100)); // stands for real async work
  return { greeting: 'Hello from exxec!', language: `Node.js ${process.versions.node}` };
}
