// SPDX-License-Identifier: GPL-2.0
/* xf_ct.c - the host's side of the stateful allow policy: are conntrack's
 * kfuncs there, and is tracking on in this network namespace; see xf_ct.h.
 * The only file of the store that runs other programs (modprobe, nft).
 */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "xf_ct.h"
#include "xf_diag.h"

#define CT_KFUNC	"bpf_xdp_ct_lookup"
#define CT_MODULE_BTF	"/sys/kernel/btf/nf_conntrack"

static const char ct_table[] =
	"table inet " XF_CT_TABLE " {\n"
	"\tcomment \"xdp_filter: connection tracking on for the stateful"
	" allow policy\"\n"
	"\tchain conntrack {\n"
	"\t\tct state new counter\n"
	"\t}\n"
	"}\n";

extern char **environ;

/* Runs argv (PATH searched) with stdin from the pipe it returns in *in
 * (when in), stdout and stderr to /dev/null unless loud. The child's pid,
 * or -errno. */
static pid_t spawn(char *const argv[], int *in, bool loud)
{
	posix_spawn_file_actions_t fa;
	int p[2] = { -1, -1 }, err;
	pid_t pid;

	if (in && (pipe(p) || fcntl(p[1], F_SETFD, FD_CLOEXEC)))
		return -errno;
	posix_spawn_file_actions_init(&fa);
	if (in) {
		posix_spawn_file_actions_adddup2(&fa, p[0], 0);
		posix_spawn_file_actions_addclose(&fa, p[0]);
	}
	if (!loud) {
		posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
		posix_spawn_file_actions_adddup2(&fa, 1, 2);
	}
	err = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (in) {
		close(p[0]);
		if (err)
			close(p[1]);
		else
			*in = p[1];
	}
	return err ? -err : pid;
}

/* Its exit status (0 success), or -errno when it could not run. */
static int finish(pid_t pid)
{
	int status;

	if (pid < 0)
		return pid;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

/* Does BTF file (split on vmlinux's when base) name the kfunc? */
static bool btf_has_kfunc(const char *path, struct btf *base)
{
	struct btf *btf = base ? btf__parse_split(path, base) :
			  btf__load_vmlinux_btf();
	bool has;

	if (!btf)
		return false;
	has = btf__find_by_name_kind(btf, CT_KFUNC, BTF_KIND_FUNC) > 0;
	btf__free(btf);
	return has;
}

bool xf_ct_available(void)
{
	char *modprobe[] = { "modprobe", "-q", "nf_conntrack", NULL };
	struct btf *vmlinux;
	bool has;

	if (btf_has_kfunc(NULL, NULL))
		return true;			/* built in */
	if (access(CT_MODULE_BTF, F_OK))
		finish(spawn(modprobe, NULL, false));	/* a module: load it */
	vmlinux = btf__load_vmlinux_btf();
	if (!vmlinux)
		return false;
	has = !access(CT_MODULE_BTF, F_OK) &&
	      btf_has_kfunc(CT_MODULE_BTF, vmlinux);
	btf__free(vmlinux);
	return has;
}

bool xf_ct_tracking_on(void)
{
	char *list[] = { "nft", "list", "table", "inet", XF_CT_TABLE, NULL };

	return finish(spawn(list, NULL, false)) == 0;
}

/* nft -f - with our table on its stdin. */
static int add_table(void)
{
	char *add[] = { "nft", "-f", "-", NULL };
	int in = -1, rc;
	pid_t pid = spawn(add, &in, true);
	ssize_t n = 0;

	if (pid >= 0) {
		n = write(in, ct_table, sizeof(ct_table) - 1);
		close(in);
	}
	rc = finish(pid);
	if (rc < 0)
		return xf_diag(rc, NULL, "cannot run nft (%s): the stateful"
			       " allow policy needs nftables to turn connection"
			       " tracking on", strerror(-rc));
	if (rc || n != (ssize_t)sizeof(ct_table) - 1)
		return xf_diag(-EIO, NULL, "nft could not add table inet %s"
			       " (connection tracking for the stateful allow"
			       " policy)", XF_CT_TABLE);
	return 0;
}

int xf_ct_tracking(bool on)
{
	char *del[] = { "nft", "delete", "table", "inet", XF_CT_TABLE, NULL };
	int rc;

	if (on == xf_ct_tracking_on())
		return 0;
	if (on)
		return add_table();
	rc = finish(spawn(del, NULL, true));
	if (rc)
		return xf_diag(rc < 0 ? rc : -EIO, NULL, "nft could not delete"
			       " table inet %s", XF_CT_TABLE);
	return 0;
}
