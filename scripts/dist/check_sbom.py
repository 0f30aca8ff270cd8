"""Checks a CycloneDX SBOM: a file, or the one a wheel carries in ``.dist-info/sboms/``.

Usage: python check_sbom.py SBOM_OR_WHEEL COMPONENT VERSION

The SBOM must describe COMPONENT (its ``metadata.component``) and list, among its components (or
describe, for the core's own SBOM), the core crate ``incidentfox-auth`` at VERSION and the crate that
does its cryptography (``aws-lc-rs``), each with a package URL: an SBOM without them would not say what the artifact runs.
"""

import json
import sys
import zipfile


def load(path: str) -> dict:
    if not path.endswith(".whl"):
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    with zipfile.ZipFile(path) as wheel:
        names = [n for n in wheel.namelist() if ".dist-info/sboms/" in n and n.endswith(".json")]
        if len(names) != 1:
            raise SystemExit(f"{path}: want one SBOM in .dist-info/sboms/, found {names}")
        return json.loads(wheel.read(names[0]))


def main() -> None:
    path, component, version = sys.argv[1:4]
    bom = load(path)
    if bom.get("bomFormat") != "CycloneDX":
        raise SystemExit(f"{path}: not a CycloneDX document")
    described = bom.get("metadata", {}).get("component", {})
    if described.get("name") != component:
        raise SystemExit(f"{path}: describes {described.get('name')!r}, not {component!r}")
    components = {c.get("name"): c for c in bom.get("components", [])}
    # The core's own SBOM describes it rather than listing it.
    components.setdefault(described["name"], described)
    core = components.get("incidentfox-auth")
    if core is None or core.get("version") != version:
        raise SystemExit(f"{path}: incidentfox-auth {version} is not listed")
    for name in ("incidentfox-auth", "aws-lc-rs"):
        if not components.get(name, {}).get("purl", "").startswith("pkg:cargo/"):
            raise SystemExit(f"{path}: {name} has no cargo package URL")
    print(f"sbom ok: {component}, CycloneDX {bom.get('specVersion')}, {len(components)} components")


if __name__ == "__main__":
    main()
