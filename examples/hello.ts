// Run it: ./exxec run examples/hello.ts (needs tsx, ts-node or deno)
// A sync main() works as well as an async one; types are stripped, not checked.
interface Greeting {
  greeting: string;
  language: string;
}

function main(): Greeting {
  return { greeting: 'Hello from exxec!', language: 'TypeScript' };
}
