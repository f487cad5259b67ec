// The embed's stylesheet, inlined into the bundle as text by esbuild (scripts/build-embed.js).
declare module '*.css' {
  const text: string;
  export default text;
}
