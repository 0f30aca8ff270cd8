/** @type {import('next').NextConfig} */
const nextConfig = {
  // The package is a native addon (a `.node` file loaded with `require`): bundling it cannot
  // work, so Next leaves it to Node's `require` at run time, from node_modules.
  serverExternalPackages: ['@incidentfox/auth'],
}

export default nextConfig
