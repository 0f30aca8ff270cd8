'use strict'
// The READMEs' Node code is a test: every ```js block under the "### Node" heading of the
// repository's README.md, and every ```js block of bindings-node/README.md (the package's page),
// runs as its own script (a fresh node, the repository root as working directory) and must exit 0,
// with `@incidentfox/auth` resolving to this package. Each README must hold a block that runs. A block
// fenced as ```js no_run (framework wiring such as a Next.js route file, which needs the framework
// and a provider; test/login.test.js makes the same calls) is only parsed: `node --check`, as an
// ES module when it has `import` or `export` statements.

const assert = require('node:assert/strict')
const { execFileSync } = require('node:child_process')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { test } = require('node:test')
const { REPO_ROOT } = require('./support.js')

const HEADING = '### Node'
// Each README with the heading its js blocks sit under (null: the whole file).
const READMES = [
  { file: 'README.md', heading: HEADING },
  { file: 'bindings-node/README.md', heading: null },
]

/** The ```js blocks between `heading` and the next heading of level 1-3, or, with a null
 * heading, every ```js block of the text. */
function jsBlocks(text, heading = HEADING, source = 'README.md') {
  const lines = text.split('\n')
  const start = heading === null ? -1 : lines.findIndex((line) => line.trimEnd() === heading)
  if (heading !== null && start < 0) return []
  const blocks = []
  let fence = null
  let body = []
  for (let i = start + 1; i < lines.length; i += 1) {
    const line = lines[i]
    if (fence === null) {
      if (heading !== null && /^#{1,3} /.test(line)) break
      const opening = /^(```+|~~~+)\s*(.*)$/.exec(line)
      if (opening) {
        fence = { line: i + 1, marker: opening[1], info: opening[2].trim() }
        body = []
      }
    } else if (line.trim() === fence.marker) {
      const [language, ...flags] = fence.info.split(/\s+/)
      if (['js', 'javascript'].includes(language)) {
        blocks.push({ source, line: fence.line, code: `${body.join('\n')}\n`, runs: !flags.includes('no_run') })
      }
      fence = null
    } else {
      body.push(line)
    }
  }
  return blocks
}

const readmeBlocks = ({ file, heading }) => jsBlocks(fs.readFileSync(path.join(REPO_ROOT, file), 'utf8'), heading, file)
const BLOCKS = READMES.flatMap(readmeBlocks)

for (const readme of READMES) {
  test(`${readme.file} has a Node quickstart`, () => {
    const where = readme.heading === null ? 'anywhere' : `under a \`${readme.heading}\` heading`
    assert.ok(readmeBlocks(readme).some((b) => b.runs), `${readme.file} has no runnable \`\`\`js block ${where}`)
  })
}

for (const block of BLOCKS.filter((b) => !b.runs)) {
  test(`${block.source}:${block.line} parses`, () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ifx-readme-'))
    const esm = /^\s*(import|export)\s/m.test(block.code)
    const script = path.join(dir, `readme_${block.line}.${esm ? 'mjs' : 'cjs'}`)
    fs.writeFileSync(script, block.code)
    try {
      execFileSync(process.execPath, ['--check', script], { stdio: 'pipe', timeout: 60_000 })
    } catch (error) {
      assert.fail(`${block.source}:${block.line} does not parse\n${error.stderr}`)
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })
}

for (const block of BLOCKS.filter((b) => b.runs)) {
  test(`${block.source}:${block.line} runs`, () => {
    // A script in a folder whose node_modules holds this package, run from the repository root.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ifx-readme-'))
    fs.mkdirSync(path.join(dir, 'node_modules', '@incidentfox'), { recursive: true })
    fs.symlinkSync(path.resolve(__dirname, '..'), path.join(dir, 'node_modules', '@incidentfox', 'auth'), 'dir')
    const script = path.join(dir, `readme_${block.line}.js`)
    fs.writeFileSync(script, block.code)
    try {
      execFileSync(process.execPath, [script], { cwd: REPO_ROOT, stdio: 'pipe', timeout: 120_000 })
    } catch (error) {
      assert.fail(`${block.source}:${block.line} exited ${error.status}\n--- stdout\n${error.stdout}\n--- stderr\n${error.stderr}`)
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })
}

test('the extractor', () => {
  const text = ['## Quickstart', '```js', 'not this', '```', '### Node', 'text', '```js', 'a = 1', '```', '```sh', 'echo no', '```', '### Other', '```js', 'no', '```'].join('\n')
  assert.deepEqual(jsBlocks(text).map((b) => [b.code, b.runs]), [['a = 1\n', true]])
  assert.deepEqual(jsBlocks('# Title\n```js\nx\n```\n'), [])
  const detail = jsBlocks('### Node\n```js no_run\nparsed\n```\n#### Sub\n```js\nrun\n```\n')
  assert.deepEqual(detail.map((b) => [b.code, b.runs]), [['parsed\n', false], ['run\n', true]])
  const whole = jsBlocks('# Title\n```js\nx\n```\n## Usage\n```js no_run\ny\n```\n', null)
  assert.deepEqual(whole.map((b) => [b.code, b.runs]), [['x\n', true], ['y\n', false]])
})
