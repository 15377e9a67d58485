#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""xdp_filter_rules - the role's module: make a host's running xdp_filter
rule set and its rules.conf equal one text, through xf-rule only. It checks
the text (apply --check), asks what would change (apply --dry-run: that is
'changed' and the diff), then writes the file and applies it in one atomic
switch; with confirm it applies with --confirm and leaves the file to be
written once the set is confirmed over a new connection."""

import os
import re
import tempfile

from ansible.module_utils.basic import AnsibleModule

DOCUMENTATION = r"""
module: xdp_filter_rules
short_description: Make xdp_filter's rule set and rules.conf equal a text
description:
  - Checks the text with C(xf-rule apply --check -), compares it with the
    running rule set with C(xf-rule apply --dry-run -), and only when they
    differ applies it (C(xf-rule apply FILE), one atomic switch: rules in
    both keep their counters).
  - Reports changed only when the rule set or the file really changes; in
    check mode nothing is written, and the diff is the dry run's +/- lines.
options:
  content:
    description: The rules file, as C(xf-rule apply) reads it.
    type: str
    required: true
  path:
    description: Where the rules file lives (the unit applies it at boot).
    type: path
    default: /etc/xdp_filter/rules.conf
  confirm:
    description:
      - Seconds (1-86400). Apply with C(--confirm) so that the previous set
        comes back unless C(xf-rule confirm) runs in time; the file is then
        not written (run the module again with confirm 0 after confirming).
      - 0 applies for good at once.
    type: int
    default: 0
  xf_rule:
    description: The xf-rule command.
    type: str
    default: xf-rule
"""

RETURN = r"""
rules_changed: {description: the running rule set or policy differs, type: bool}
file_changed: {description: the file differs, type: bool}
added: {description: rules to add (dry run), type: int}
deleted: {description: rules to delete (dry run), type: int}
unchanged: {description: rules kept with their counters (dry run), type: int}
policy_changed: {description: the policy differs (dry run), type: bool}
dry_run: {description: the lines of apply --dry-run, type: list}
confirm_pending: {description: applied with --confirm, waiting for confirm, type: bool}
msg: {description: what apply said, type: str}
"""

PIN = "/sys/fs/bpf/tc/globals/xf_config"
SUMMARY = re.compile(r"^# (\d+) to add, (\d+) to delete, (\d+) unchanged; "
                     r"policy (changes|unchanged)$")


def xf(module, cmd, args, data=None):
    """Runs xf-rule ARGS (DATA on standard input); fails the task on an error."""
    rc, out, err = module.run_command([cmd] + args, data=data,
                                      binary_data=True)
    if rc != 0:
        module.fail_json(msg=(err or out).strip() or "xf-rule failed",
                         rc=rc, cmd=" ".join([cmd] + args))
    return out


def read_file(path):
    try:
        with open(path, encoding="utf-8") as f:
            return f.read()
    except FileNotFoundError:
        return None


def write_file(module, path, content):
    """Replaces PATH with CONTENT in one rename (mode 0644)."""
    d = os.path.dirname(path) or "."
    os.makedirs(d, mode=0o755, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".rules.", dir=d)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(content)
    os.chmod(tmp, 0o644)
    module.atomic_move(tmp, path)


def dry_run(module, cmd, content, result):
    """Fills RESULT from apply --dry-run; True when the rule set changes."""
    lines = xf(module, cmd, ["apply", "--dry-run", "-"], content).splitlines()
    m = SUMMARY.match(lines[-1]) if lines else None
    if not m:
        module.fail_json(msg="unexpected output from xf-rule apply --dry-run",
                         stdout_lines=lines)
    result.update(added=int(m[1]), deleted=int(m[2]), unchanged=int(m[3]),
                  policy_changed=m[4] == "changes", dry_run=lines)
    return result["added"] > 0 or result["deleted"] > 0 or result["policy_changed"]


def main():
    module = AnsibleModule(
        argument_spec=dict(
            content=dict(type="str", required=True),
            path=dict(type="path", default="/etc/xdp_filter/rules.conf"),
            confirm=dict(type="int", default=0),
            xf_rule=dict(type="str", default="xf-rule"),
        ),
        supports_check_mode=True,
    )
    p = module.params
    content = p["content"] if p["content"].endswith("\n") else p["content"] + "\n"
    path, confirm = p["path"], p["confirm"]
    if not 0 <= confirm <= 86400:
        module.fail_json(msg="bad confirm %d (expected seconds, 0-86400)" % confirm)
    cmd = module.get_bin_path(p["xf_rule"], required=True,
                              opt_dirs=["/usr/sbin", "/usr/local/sbin"])

    xf(module, cmd, ["apply", "--check", "-"], content)
    before = read_file(path)
    result = dict(changed=False, path=path, file_changed=before != content,
                  confirm_pending=False)
    diff = []
    if os.path.exists(PIN):
        result["rules_changed"] = dry_run(module, cmd, content, result)
        if result["rules_changed"]:
            diff.append(dict(prepared="\n".join(result["dry_run"]) + "\n"))
    elif module.check_mode:
        # nothing attached yet (the attach task did not run in check mode)
        result["rules_changed"] = True
        diff.append(dict(prepared="# xdp_filter is not attached yet: "
                         "every rule in %s is new\n" % path))
    else:
        module.fail_json(msg="no xdp_filter maps are pinned at %s: attach the "
                         "filter first (xf-attach attach IFACE)" % PIN)
    if result["file_changed"]:
        diff.append(dict(before=before or "", after=content,
                         before_header=path, after_header=path))
    result["changed"] = result["rules_changed"] or result["file_changed"]
    if module._diff and diff:
        result["diff"] = diff
    if module.check_mode or not result["changed"]:
        module.exit_json(**result)

    if result["rules_changed"] and confirm:
        # the file waits for the confirmation: a set that locks the
        # operator out rolls back, and must not come back at boot
        result["msg"] = xf(module, cmd, ["apply", "-", "--confirm", str(confirm)],
                           content).strip()
        result["confirm_pending"] = True
        module.exit_json(**result)
    if result["file_changed"]:
        write_file(module, path, content)
    if result["rules_changed"]:
        result["msg"] = xf(module, cmd, ["apply", path]).strip()
    module.exit_json(**result)


if __name__ == "__main__":
    main()
