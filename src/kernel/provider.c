// SPDX-License-Identifier: GPL-2.0
/*
 * provider.c - telemetry providers: the exported in-kernel API (include/cram/provider.h)
 * and /dev/cram-telemetry, through which a root agent is one. Both hand a region's
 * snapshots and events to device.c, which judges them as it judges a register block's
 * (the contract: include/cram/telemetry.h).
 *
 * The character device: open needs CAP_SYS_ADMIN (and the node is 0600). Each open
 * file is at most one provider: write(2) takes exactly one struct cram_telemetry_msg
 * (attach, then snapshots and events, seq increasing); read(2) of exactly a struct
 * cram_telemetry_mark gives the mark to measure after. A refused message changes
 * nothing and says why in its errno (cram_tm_msg_check); close detaches. An open file
 * holds a reference on the module, so cram cannot be unloaded under an agent.
 *
 * Context: register, unregister, write, read and release run in process context and
 * may sleep. begin runs in any context; event in any, hard IRQ included; publish in
 * any but hard IRQ (from a timer or with IRQs off too). The node is registered last
 * in init (cram_provider_init), so no file outlives a failed load.
 * Locking: a file's f->lock (mutex) serialises its messages and release; device.c's
 * bind lock is taken inside it by attach and detach. Nothing else is shared here.
 */
#define pr_fmt(fmt) "cram: " fmt

#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "cram.h"
#include "cram/provider.h"

struct cram_provider {
	struct cram_dev *dev;
};

/*** the in-kernel API ***/

struct cram_provider *cram_provider_register(const char *region, u64 serial, const char *name)
{
	struct cram_provider *p;
	struct cram_dev *d;

	p = kzalloc(sizeof(*p), GFP_KERNEL);
	if (!p)
		return ERR_PTR(-ENOMEM);
	d = cram_dev_provider_attach(region, serial, name);
	if (IS_ERR(d)) {
		kfree(p);
		return ERR_CAST(d);
	}
	p->dev = d;
	return p;
}
EXPORT_SYMBOL_GPL(cram_provider_register);

void cram_provider_unregister(struct cram_provider *p)
{
	cram_dev_provider_detach(p->dev);
	kfree(p);
}
EXPORT_SYMBOL_GPL(cram_provider_unregister);

struct cram_telemetry_mark cram_provider_begin(struct cram_provider *p)
{
	return cram_dev_mark(p->dev);
}
EXPORT_SYMBOL_GPL(cram_provider_begin);

int cram_provider_publish(struct cram_provider *p, const struct cram_telemetry *t)
{
	return cram_dev_push(p->dev, t);
}
EXPORT_SYMBOL_GPL(cram_provider_publish);

void cram_provider_event(struct cram_provider *p)
{
	cram_dev_event(p->dev);
}
EXPORT_SYMBOL_GPL(cram_provider_event);

/*** /dev/cram-telemetry ***/

struct cram_tm_client {
	struct mutex lock;	/* one message at a time; release */
	struct cram_tm_file state;
	struct cram_provider *provider;	/* once attached */
};

static int cram_tm_open(struct inode *inode, struct file *file)
{
	struct cram_tm_client *f;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	f = kzalloc(sizeof(*f), GFP_KERNEL);
	if (!f)
		return -ENOMEM;
	mutex_init(&f->lock);
	file->private_data = f;
	return 0;
}

static int cram_tm_release(struct inode *inode, struct file *file)
{
	struct cram_tm_client *f = file->private_data;

	if (f->provider)
		cram_provider_unregister(f->provider);
	mutex_destroy(&f->lock);
	kfree(f);
	return 0;
}

/* One message the checks let through: what it asks, or its errno. Under f->lock. */
static int cram_tm_act(struct cram_tm_client *f, const struct cram_telemetry_msg *m)
{
	struct cram_provider *p;

	switch (m->kind) {
	case CRAM_TM_ATTACH:
		p = cram_provider_register(m->region, m->serial, m->name);
		if (IS_ERR(p))
			return PTR_ERR(p);
		f->provider = p;
		f->state.attached = true;
		return 0;
	case CRAM_TM_SNAPSHOT:
		return cram_provider_publish(f->provider, &m->t);
	default:	/* CRAM_TM_EVENT */
		cram_provider_event(f->provider);
		return 0;
	}
}

static ssize_t cram_tm_write(struct file *file, const char __user *buf, size_t len,
			     loff_t *ppos)
{
	struct cram_tm_client *f = file->private_data;
	struct cram_telemetry_msg m;
	const char *why;
	int err;

	if (len != sizeof(m))
		return -EINVAL;
	if (copy_from_user(&m, buf, sizeof(m)))
		return -EFAULT;
	mutex_lock(&f->lock);
	err = cram_tm_msg_check(&m, &f->state, &why) ?: cram_tm_act(f, &m);
	if (!err)
		f->state.last_seq = m.seq;
	mutex_unlock(&f->lock);
	return err ?: sizeof(m);
}

static ssize_t cram_tm_read(struct file *file, char __user *buf, size_t len, loff_t *ppos)
{
	struct cram_tm_client *f = file->private_data;
	struct cram_telemetry_mark mark;
	int err = 0;

	if (len != sizeof(mark))
		return -EINVAL;
	mutex_lock(&f->lock);
	if (f->provider)
		mark = cram_provider_begin(f->provider);
	else
		err = -ENOTCONN;
	mutex_unlock(&f->lock);
	if (err)
		return err;
	return copy_to_user(buf, &mark, sizeof(mark)) ? -EFAULT : sizeof(mark);
}

static const struct file_operations cram_tm_fops = {
	.owner = THIS_MODULE,
	.open = cram_tm_open,
	.release = cram_tm_release,
	.write = cram_tm_write,
	.read = cram_tm_read,
	.llseek = noop_llseek,
};

static struct miscdevice cram_tm_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "cram-telemetry",
	.fops = &cram_tm_fops,
	.mode = 0600,
};

static bool cram_tm_registered;

/*
 * Last in init, once nothing can fail: a file opened while the module is still
 * loading would outlive a failed load. Without the node (rare: no minor, no memory)
 * cram runs on; providers must then be in-kernel.
 */
void cram_provider_init(void)
{
	int err = misc_register(&cram_tm_misc);

	if (err)
		pr_warn("cannot create /dev/cram-telemetry: %d; in-kernel providers only\n", err);
	cram_tm_registered = !err;
}

void cram_provider_exit(void)
{
	if (cram_tm_registered)
		misc_deregister(&cram_tm_misc);
	cram_tm_registered = false;
}
