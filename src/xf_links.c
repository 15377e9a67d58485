// SPDX-License-Identifier: GPL-2.0
/* xf_links.c - the pinned BPF links that run the active tier on each
 * interface; see xf_links.h.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "xf_links.h"
#include "xf_tiers.h"

#define LINK_PREFIX	"xf_link_"

static const char *const mode_names[] = {
	[XF_LINK_AUTO] = "auto", [XF_LINK_NATIVE] = "native",
	[XF_LINK_GENERIC] = "generic",
};

/* The cookie of this network namespace: tells interfaces with the same
 * index in two namespaces that share the pins apart. */
static int netns_cookie(__u64 *cookie)
{
	socklen_t len = sizeof(*cookie);
	int s = socket(AF_UNIX, SOCK_DGRAM, 0), err = 0;

	if (s < 0)
		return -errno;
	if (getsockopt(s, SOL_SOCKET, SO_NETNS_COOKIE, cookie, &len))
		err = -errno;
	close(s);
	return err;
}

static void link_path(char *path, __u64 cookie, unsigned int ifindex,
		      enum xf_link_mode mode)
{
	if (snprintf(path, PATH_MAX, "%s/" LINK_PREFIX "%llx_%u_%s",
		     xf_pin_dir, (unsigned long long)cookie, ifindex,
		     mode_names[mode]) >= PATH_MAX)
		path[0] = '\0';
}

/* The mode of the pinned link of interface ifindex (its pin in path), or
 * XF_LINK_AUTO when it has none. */
static enum xf_link_mode find_link(__u64 cookie, unsigned int ifindex,
				   char *path)
{
	for (int mode = XF_LINK_NATIVE; mode <= XF_LINK_GENERIC; mode++) {
		link_path(path, cookie, ifindex, mode);
		if (path[0] && !access(path, F_OK))
			return mode;
	}
	return XF_LINK_AUTO;
}

/* Detaches the link pinned at path and removes the pin. */
static int drop_link(const char *path)
{
	int fd = bpf_obj_get(path), err = 0;

	if (fd >= 0 && bpf_link_detach(fd) && errno != ENOLINK)
		err = -errno;
	if (fd >= 0)
		close(fd);
	if (!err && unlink(path) && errno != ENOENT)
		err = -errno;
	return err;
}

/* Is the program with this id one of ours (a dispatcher or a tier, as
 * the kernel shortens their names)? */
static bool ours(__u32 id, char *name, size_t len)
{
	struct bpf_prog_info info = {};
	__u32 ilen = sizeof(info);
	int fd = bpf_prog_get_fd_by_id(id);

	snprintf(name, len, "id %u", id);
	if (fd < 0)
		return false;
	if (!bpf_obj_get_info_by_fd(fd, &info, &ilen))
		snprintf(name, len, "%s", info.name);
	close(fd);
	return !strncmp(info.name, "xdp_filter", 10) ||
	       !strncmp(info.name, "xf_", 3);
}

/* What ip(8) attached to ifindex, by netlink: its mode and program id in
 * *mode and *id (XF_LINK_AUTO and 0: nothing). */
static int netlink_prog(unsigned int ifindex, enum xf_link_mode *mode,
			__u32 *id)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);

	*mode = XF_LINK_AUTO;
	*id = 0;
	if (bpf_xdp_query(ifindex, 0, &q))
		return -errno;
	if (q.drv_prog_id) {
		*mode = XF_LINK_NATIVE;
		*id = q.drv_prog_id;
	} else if (q.skb_prog_id) {
		*mode = XF_LINK_GENERIC;
		*id = q.skb_prog_id;
	} else if (q.hw_prog_id) {
		*id = q.hw_prog_id;
	}
	return 0;
}

/* Creates dev's link to the active tier of mode's array and pins it. */
static int create_link(struct xf_maps *m, const char *dev,
		       unsigned int ifindex, enum xf_link_mode mode,
		       const char *path)
{
	LIBBPF_OPTS(bpf_link_create_opts, opts);
	bool sb = mode == XF_LINK_GENERIC;
	int prog, link, err;
	__u32 id;

	err = xf_tier_running(m, sb, &id);
	if (err)
		return err;
	prog = bpf_prog_get_fd_by_id(id);
	if (prog < 0)
		return xf_diag(-errno, NULL, "program id %u: %s", id,
			       strerror(errno));
	opts.flags = sb ? XDP_FLAGS_SKB_MODE : XDP_FLAGS_DRV_MODE;
	link = bpf_link_create(prog, ifindex, BPF_XDP, &opts);
	err = link < 0 ? -errno : 0;
	close(prog);
	if (err == -EOPNOTSUPP || err == -ERANGE)
		return err;	/* the caller may try generic mode */
	if (err)
		return xf_diag(err, NULL, "attaching to %s in %s mode: %s",
			       dev, mode_names[mode], strerror(-err));
	if (bpf_obj_pin(link, path)) {
		err = xf_diag(-errno, NULL, "pinning the link of %s at %s: %s",
			      dev, path, strerror(errno));
		bpf_link_detach(link);
	}
	close(link);
	return err;
}

/* The reason a driver gave for refusing mode, in words. */
static int refused(const char *dev, enum xf_link_mode mode, int err)
{
	char mtu[32] = "";
	FILE *f;

	snprintf(mtu, sizeof(mtu), "/sys/class/net/%s/mtu", dev);
	f = fopen(mtu, "r");
	if (!f || !fgets(mtu, sizeof(mtu), f))
		snprintf(mtu, sizeof(mtu), "?\n");
	if (f)
		fclose(f);
	mtu[strcspn(mtu, "\n")] = '\0';
	if (err == -ERANGE)
		return xf_diag(err, NULL, "the driver of %s refuses %s XDP at"
			       " its MTU (%s) for a program without"
			       " multi-buffer support", dev, mode_names[mode],
			       mtu);
	return xf_diag(err, NULL, "the driver of %s has no %s XDP mode", dev,
		       mode_names[mode]);
}

/* Moves the link pinned at path to program id: 0, 1 when its interface
 * is gone (the pin is removed then), or -errno after a message. */
static int update_link(const char *path, __u32 id)
{
	int link, prog, err = 0;

	if (!id)
		return xf_diag(-ENOENT, NULL, "%s: the tier programs are not"
			       " loaded (attach again)", path);
	link = bpf_obj_get(path);
	if (link < 0)
		return errno == ENOENT ? 1 :
		       xf_diag(-errno, NULL, "%s: %s", path, strerror(errno));
	prog = bpf_prog_get_fd_by_id(id);
	if (prog < 0 || bpf_link_update(link, prog, NULL))
		err = -errno;
	if (prog >= 0)
		close(prog);
	close(link);
	if (err == -ENOLINK)
		return unlink(path) && errno != ENOENT ? -errno : 1;
	if (err)
		return xf_diag(err, NULL, "%s: moving it to program id %u: %s",
			       path, id, strerror(-err));
	return 0;
}

/* Makes room for dev's link: an ip-attached program of ours goes (a
 * window), anyone else's is refused; the mode it ran in, in *was. */
static int clear_netlink(const char *dev, unsigned int ifindex,
			 enum xf_link_mode *was)
{
	char name[32];
	__u32 id;
	int err = netlink_prog(ifindex, was, &id);

	if (err)
		return xf_diag(err, NULL, "query XDP on %s: %s", dev,
			       strerror(-err));
	if (!id)
		return 0;
	if (!ours(id, name, sizeof(name)) || *was == XF_LINK_AUTO)
		return xf_diag(-EBUSY, NULL, "%s already runs XDP program '%s'"
			       " (id %u): detach it first", dev, name, id);
	printf("%s: replacing the %s that ip attached with a pinned link"
	       " (a short window without the filter)\n", dev, name);
	if (bpf_xdp_detach(ifindex, *was == XF_LINK_GENERIC ?
			   XDP_FLAGS_SKB_MODE : XDP_FLAGS_DRV_MODE, NULL))
		return xf_diag(-errno, NULL, "detach %s from %s: %s", name,
			       dev, strerror(errno));
	return 0;
}

/* dev's index and this network namespace's cookie: what names its link
 * pin. 0, XF_EINPUT or -errno, after a message. */
static int dev_key(const char *dev, unsigned int *ifindex, __u64 *cookie)
{
	int err;

	*ifindex = if_nametoindex(dev);
	if (!*ifindex)
		return xf_diag(XF_EINPUT, NULL, "no such interface '%s' in"
			       " this network namespace", dev);
	err = netns_cookie(cookie);
	if (err)
		return xf_diag(err, NULL, "the network namespace's cookie: %s",
			       strerror(-err));
	return 0;
}

int xf_link_attach(struct xf_maps *m, const char *dev, enum xf_link_mode mode)
{
	unsigned int ifindex;
	enum xf_link_mode cur, was = XF_LINK_AUTO;
	char path[PATH_MAX], old[PATH_MAX];
	__u64 cookie;
	int err;

	err = dev_key(dev, &ifindex, &cookie);
	if (err)
		return err;
	cur = find_link(cookie, ifindex, old);
	if (cur && (mode == XF_LINK_AUTO || mode == cur)) {
		__u32 id;

		/* in place: the active tier, maybe of a new object */
		err = xf_tier_running(m, cur == XF_LINK_GENERIC, &id);
		if (!err)
			err = update_link(old, id);
		if (err != 1)
			return err;
		cur = XF_LINK_AUTO;	/* a stale pin, now gone */
	}
	if (cur) {
		printf("switching %s from %s to %s mode: detaching first\n",
		       dev, mode_names[cur], mode_names[mode]);
		err = drop_link(old);
		if (err)
			return xf_diag(err, NULL, "%s: %s", old,
				       strerror(-err));
	}
	err = clear_netlink(dev, ifindex, &was);
	if (!err && mode == XF_LINK_AUTO)
		mode = was;
	if (err)
		return err;
	if (mode != XF_LINK_AUTO) {
		link_path(path, cookie, ifindex, mode);
		err = create_link(m, dev, ifindex, mode, path);
		return err == -EOPNOTSUPP || err == -ERANGE ?
		       refused(dev, mode, err) : err;
	}
	link_path(path, cookie, ifindex, XF_LINK_NATIVE);
	err = create_link(m, dev, ifindex, XF_LINK_NATIVE, path);
	if (err != -EOPNOTSUPP)
		return err == -ERANGE ? refused(dev, XF_LINK_NATIVE, err) : err;
	link_path(path, cookie, ifindex, XF_LINK_GENERIC);
	err = create_link(m, dev, ifindex, XF_LINK_GENERIC, path);
	return err == -EOPNOTSUPP || err == -ERANGE ?
	       refused(dev, XF_LINK_GENERIC, err) : err;
}

int xf_link_detach(const char *dev)
{
	unsigned int ifindex;
	char path[PATH_MAX];
	__u64 cookie;
	int err;

	err = dev_key(dev, &ifindex, &cookie);
	if (err)
		return err;
	if (!find_link(cookie, ifindex, path))
		return 1;
	err = drop_link(path);
	if (err)
		return xf_diag(err, NULL, "%s: %s", path, strerror(-err));
	return 0;
}

/* Calls fn(path, mode, arg) for each link pin; stops at a result < 0. */
static int each_link(int (*fn)(const char *path, enum xf_link_mode mode,
			       void *arg), void *arg)
{
	DIR *d = opendir(xf_pin_dir);
	struct dirent *e;
	int err = 0;

	if (!d)
		return errno == ENOENT ? 0 :
		       xf_diag(-errno, NULL, "%s: %s", xf_pin_dir,
			       strerror(errno));
	while (err >= 0 && (e = readdir(d))) {
		char path[PATH_MAX];
		size_t n = strlen(e->d_name);
		enum xf_link_mode mode = XF_LINK_NATIVE;

		if (strncmp(e->d_name, LINK_PREFIX, strlen(LINK_PREFIX)))
			continue;
		if (n > 8 && !strcmp(e->d_name + n - 8, "_generic"))
			mode = XF_LINK_GENERIC;
		if (snprintf(path, sizeof(path), "%s/%s", xf_pin_dir,
			     e->d_name) >= (int)sizeof(path))
			continue;
		err = fn(path, mode, arg);
	}
	closedir(d);
	return err < 0 ? err : 0;
}

static int switch_one(const char *path, enum xf_link_mode mode, void *arg)
{
	const __u32 *ids = arg;

	return update_link(path, ids[mode == XF_LINK_GENERIC]);
}

int xf_links_switch(__u32 id, __u32 id_sb)
{
	__u32 ids[2] = { id, id_sb };

	return each_link(switch_one, ids);
}

static int count_live(const char *path, enum xf_link_mode mode, void *arg)
{
	struct bpf_link_info info = {};
	__u32 len = sizeof(info);
	int fd = bpf_obj_get(path), err = 0;

	(void)mode;
	if (fd < 0)
		return 0;
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		err = xf_diag(-errno, NULL, "%s: %s", path, strerror(errno));
	close(fd);
	if (!err && info.xdp.ifindex)
		(*(int *)arg)++;
	else if (!err && unlink(path) && errno != ENOENT)
		err = xf_diag(-errno, NULL, "%s: %s", path, strerror(errno));
	return err;
}

int xf_links_live(void)
{
	int live = 0, err = each_link(count_live, &live);

	return err ? err : live;
}
