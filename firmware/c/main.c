/* The C side of the firmware image of `cargo xtask firmware`: main() and a link-only
 * stand-in for the board support the Rust side calls (entropy, clock, transport). The
 * image is linked to be measured, never run: the stand-ins read and write one volatile
 * byte, so that the compiler cannot see through them and every library path stays
 * reachable. Built with -DFW_CLIENT, -DFW_SERVER (both for a two-role profile), or neither
 * (the empty program the library's share is measured against). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

volatile uint8_t board_port;

int board_entropy(uint8_t *buf, size_t len)
{
    for (size_t i = 0; i < len; i++)
        buf[i] = board_port;
    return 0;
}

uint64_t board_millis(void)
{
    return 1780000000000ULL + board_port;
}

int board_send(const uint8_t *buf, size_t len)
{
    for (size_t i = 0; i < len; i++)
        board_port = buf[i];
    return (int)len;
}

int board_recv(uint8_t *buf, size_t cap)
{
    if (cap == 0)
        return 0;
    buf[0] = board_port;
    return 1;
}

/* The ARM EHABI personality routine that the Rust objects' unwind-table entries name.
 * The image is built with panic=abort: nothing ever unwinds, so the routine is never
 * called, and defining it here keeps libgcc's unwinder (about 2.5 KB) out of the image. A
 * call would be a bug, so it halts like the panic handler. */
void __aeabi_unwind_cpp_pr0(void)
{
    for (;;)
        ;
}

/* The ARM EABI memset entry points that the Rust code calls (LLVM's name for a fill). Newlib
 * nano has them as a separate 154 B routine beside its own `memset`, which the C start-up
 * links anyway (it clears .bss), so the image would carry two fills. Here they are the
 * run-time ABI's argument order (destination, length, value) over that one `memset`. They
 * are defined here, ahead of the C library, so the library's copy is never pulled in (a
 * symbol rule of xtask/src/firmware.rs checks it); the empty program does not reference
 * them, and --gc-sections drops them there. `__aeabi_memclr*` stay the library's: 6 B
 * calls of `__aeabi_memset`. */
void __aeabi_memset(void *dest, size_t n, int c)
{
    memset(dest, c, n);
}
void __aeabi_memset4(void *dest, size_t n, int c) __attribute__((alias("__aeabi_memset")));
void __aeabi_memset8(void *dest, size_t n, int c) __attribute__((alias("__aeabi_memset")));

int matrix_fw_client(void);
int matrix_fw_server(void);

int main(void)
{
    int r = board_port;
#if defined(FW_CLIENT)
    r |= matrix_fw_client();
#endif
#if defined(FW_SERVER)
    r |= matrix_fw_server();
#endif
    return r;
}
