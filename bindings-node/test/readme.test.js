'use strict'
// The main README's Node quickstart is a test: every ```js block under the "### Node" heading runs
// as its own script (a fresh node, the repository root as working directory) and must exit 0,
// with `@incidentfox/auth` resolving to this package. The section must hold a block.

const assert = require('node:assert/strict')
const { execFileSync } = require('node:child_process')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { test } = require('node:test')
const { REPO_ROOT } = require('./support.js')

const HEADING = '### Node'

/** The ```js blocks between the "### Node" heading and the next heading of level 1-3. */
function jsBlocks(text) {
  const lines = text.split('\n')
  const start = lines.findIndex((line) => line.trimEnd() === HEADING)
  if (start < 0) return []
  const blocks = []
  let fence = null
  let body = []
  for (let i = start + 1; i < lines.length; i += 1) {
    const line = lines[i]
    if (fence === null) {
      if (/^#{1,3} /.test(line)) break
      const opening = /^(```+|~~~+)\s*(.*)$/.exec(line)
      if (opening) {
        fence = { line: i + 1, marker: opening[1], info: opening[2].trim() }
        body = []
      }
    } else if (line.trim() === fence.marker) {
      if (['js', 'javascript'].includes(fence.info.split(/\s+/)[0])) blocks.push({ line: fence.line, code: `${body.join('\n')}\n` })
      fence = null
    } else {
      body.push(line)
    }
  }
  return blocks
}

const BLOCKS = jsBlocks(fs.readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8'))

test('the README has a Node quickstart', () => {
  assert.ok(BLOCKS.length > 0, `README.md has no \`\`\`js block under a \`${HEADING}\` heading`)
})

for (const block of BLOCKS) {
  test(`README.md:${block.line} runs`, () => {
    // A script in a folder whose node_modules holds this package, run from the repository root.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ifx-readme-'))
    fs.mkdirSync(path.join(dir, 'node_modules', '@incidentfox'), { recursive: true })
    fs.symlinkSync(path.resolve(__dirname, '..'), path.join(dir, 'node_modules', '@incidentfox', 'auth'), 'dir')
    const script = path.join(dir, `readme_${block.line}.js`)
    fs.writeFileSync(script, block.code)
    try {
      execFileSync(process.execPath, [script], { cwd: REPO_ROOT, stdio: 'pipe', timeout: 120_000 })
    } catch (error) {
      assert.fail(`README.md:${block.line} exited ${error.status}\n--- stdout\n${error.stdout}\n--- stderr\n${error.stderr}`)
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })
}

test('the extractor', () => {
  const text = ['## Quickstart', '```js', 'not this', '```', '### Node', 'text', '```js', 'a = 1', '```', '```sh', 'echo no', '```', '### Other', '```js', 'no', '```'].join('\n')
  assert.deepEqual(jsBlocks(text).map((b) => b.code), ['a = 1\n'])
  assert.deepEqual(jsBlocks('# Title\n```js\nx\n```\n'), [])
})
