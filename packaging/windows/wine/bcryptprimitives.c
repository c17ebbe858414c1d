/*
 * Test-only stand-in for Windows' bcryptprimitives.dll, for Debian bookworm's Wine 8.0, which
 * lacks it: Rust's standard library (1.78 and later) takes its random bytes from ProcessPrng
 * there. scripts/package-test builds it with MinGW into the throw-away Wine prefix it runs
 * certdesk.exe in; it is never shipped (Windows 10 and later have the real one).
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length); /* RtlGenRandom, advapi32 */

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
    while (length > 0) {
        ULONG chunk = length > 0x7fffffff ? 0x7fffffff : (ULONG)length;
        if (!SystemFunction036(data, chunk))
            return FALSE;
        data += chunk;
        length -= chunk;
    }
    return TRUE;
}
