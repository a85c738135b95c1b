/*
 * server/base/footprint.c: give back the code pages that only start-up ran (see footprint.h).
 */
#include <link.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <unistd.h>

#include "server/base/footprint.h"

/* An object whose code the loader patched (DT_TEXTREL) has private copies of those pages:
   dropping them would bring back the unrelocated file. */
static int has_text_relocations(const struct dl_phdr_info *info)
{
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        const ElfW(Dyn) *d;

        if (ph->p_type != PT_DYNAMIC)
            continue;
        for (d = (const ElfW(Dyn) *)(info->dlpi_addr + ph->p_vaddr); d->d_tag != DT_NULL; d++)
            if (d->d_tag == DT_TEXTREL || (d->d_tag == DT_FLAGS && (d->d_un.d_val & DF_TEXTREL)))
                return 1;
    }
    return 0;
}

static int trim_object(struct dl_phdr_info *info, size_t size, void *page_size)
{
    uintptr_t pg = *(uintptr_t *)page_size;
    uintptr_t vdso = getauxval(AT_SYSINFO_EHDR);

    (void)size;
    if (has_text_relocations(info))
        return 0;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        uintptr_t start = info->dlpi_addr + ph->p_vaddr;
        uintptr_t end = start + ph->p_memsz;

        /* only file-backed, never-written segments; the vDSO is the kernel's, not a file's */
        if (ph->p_type != PT_LOAD || (ph->p_flags & PF_W) || ph->p_filesz != ph->p_memsz)
            continue;
        if (vdso != 0 && start <= vdso && vdso < end)
            continue;
        start &= ~(pg - 1);
        end = (end + pg - 1) & ~(pg - 1);
        madvise((void *)start, end - start, MADV_DONTNEED);
    }
    return 0;
}

void ddb_footprint_trim(void)
{
    uintptr_t pg = (uintptr_t)sysconf(_SC_PAGESIZE);

    if (getenv("DDBD_KEEP_STARTUP_PAGES") != NULL)
        return;
    dl_iterate_phdr(trim_object, &pg);
}
