/* Signals (Ctrl-C) inside the kernels, which run without the GIL.
 *
 * Only the main thread runs Python's signal handlers, and only with the GIL.
 * A kernel call is an sdtw_call shared by its threads: the thread that made
 * the call (the master, thread 0 of its parallel region) takes the GIL now
 * and then to run the pending handlers (PyErr_CheckSignals); when one raises
 * (KeyboardInterrupt), it sets the call's stop flag and leaves the exception
 * set. Every thread reads that flag between blocks of cells and stops: the
 * loops break, no new item of work is taken (sdtw_take), and the driver
 * raises the exception once its parallel region is over, after every thread
 * freed its workspace.
 *
 * The checks cost nothing measurable: a thread counts the cells it computed
 * (sdtw_stop) and looks at the flag only every SDTW_POLL_CELLS of them; the
 * master takes the GIL at most every SDTW_POLL_SECONDS, so that a Python
 * thread holding the GIL can delay a kernel only a little. The state of the
 * current call is thread-local, so concurrent calls from several Python
 * threads do not see each other's signals. */
#ifndef SKSOFTDTW_INTERRUPT_H
#define SKSOFTDTW_INTERRUPT_H
#include <Python.h>
#include <stddef.h>
#ifdef _OPENMP
#include <omp.h>
#endif
#if defined(_WIN32)
#include <windows.h>
#else
#include <time.h>
#endif

#define SDTW_POLL_CELLS ((ptrdiff_t)1 << 20)
#define SDTW_POLL_SECONDS 0.02

#if defined(_MSC_VER)
#define SDTW_TLS __declspec(thread)
#else
#define SDTW_TLS __thread
#endif

typedef struct {
    volatile int stop;    /* the call must stop: a signal handler raised, or memory ran out */
    volatile int failed;  /* memory ran out (sdtw_fail) */
    ptrdiff_t next;       /* the next item of work (sdtw_take) */
    int active;           /* threads that joined and did not leave yet */
} sdtw_call;

/* The call this thread works for (NULL outside the kernels), whether it is
 * the master, the cells it computed since it last looked at the flag, and
 * when the master last ran the signal handlers. */
static SDTW_TLS sdtw_call *sdtw_cur = NULL;
static SDTW_TLS int sdtw_master = 0;
static SDTW_TLS ptrdiff_t sdtw_cells = 0;
static SDTW_TLS double sdtw_polled = 0.0;

static double sdtw_seconds(void)
{
#if defined(_WIN32)
    return 1e-3 * (double)GetTickCount64();
#else
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
#endif
}

static void sdtw_nap(void)
{
#if defined(_WIN32)
    Sleep(1);
#else
    struct timespec t = {0, 1000000};
    nanosleep(&t, NULL);
#endif
}

static int sdtw_add_active(sdtw_call *c, int delta)
{
#if defined(__GNUC__) || defined(__clang__)
    return __atomic_add_fetch(&c->active, delta, __ATOMIC_SEQ_CST);
#else
    int v;
#pragma omp critical(sdtw_call_counters)
    v = (c->active += delta);
    return v;
#endif
}

static int sdtw_active(sdtw_call *c)
{
#if defined(__GNUC__) || defined(__clang__)
    return __atomic_load_n(&c->active, __ATOMIC_SEQ_CST);
#else
    return sdtw_add_active(c, 0);
#endif
}

/* Before the call's parallel region, with the GIL. */
static void sdtw_call_init(sdtw_call *c)
{
    c->stop = 0;
    c->failed = 0;
    c->next = 0;
    c->active = 0;
}

/* Every thread of the call, first thing in its parallel region (or the
 * calling thread alone, in a kernel without threads). */
static void sdtw_join(sdtw_call *c)
{
#ifdef _OPENMP
    sdtw_master = omp_get_thread_num() == 0;
#else
    sdtw_master = 1;
#endif
    sdtw_cur = c;
    sdtw_cells = 0;
    sdtw_polled = sdtw_seconds();
    sdtw_add_active(c, 1);
}

/* Run the pending signal handlers (master only, at most every
 * SDTW_POLL_SECONDS); return whether the call must stop. */
static int sdtw_poll(void)
{
    sdtw_call *c = sdtw_cur;
    double now;
    sdtw_cells = 0;
    if (c == NULL)
        return 0;
    if (sdtw_master && !c->stop && (now = sdtw_seconds()) - sdtw_polled >= SDTW_POLL_SECONDS) {
        PyGILState_STATE s = PyGILState_Ensure();
        if (PyErr_CheckSignals() < 0)
            c->stop = 1; /* the handler's exception stays set for the driver */
        PyGILState_Release(s);
        sdtw_polled = now;
    }
    if (c->stop)
        sdtw_cells = SDTW_POLL_CELLS; /* from now on every check sees the flag */
    return c->stop;
}

/* Count `cells` computed by this thread; return whether the call must stop.
 * Loops over rows or anti-diagonals call it once per row or anti-diagonal. */
static inline int sdtw_stop(ptrdiff_t cells)
{
    sdtw_cells += cells;
    return sdtw_cells >= SDTW_POLL_CELLS ? sdtw_poll() : 0;
}

/* The next item of work among `n` for this thread, or n when there is none
 * left or the call must stop: a dynamic schedule with chunks of one item. */
static ptrdiff_t sdtw_take(ptrdiff_t n)
{
    sdtw_call *c = sdtw_cur;
    ptrdiff_t k;
    if (c->stop || sdtw_stop(0))
        return n;
#if defined(__GNUC__) || defined(__clang__)
    k = __atomic_fetch_add(&c->next, 1, __ATOMIC_RELAXED);
#else
#pragma omp critical(sdtw_call_counters)
    k = c->next++;
#endif
    return k < n ? k : n;
}

/* Memory ran out in this thread: the call stops and raises MemoryError. */
static void sdtw_fail(void)
{
    sdtw_cur->failed = 1;
    sdtw_cur->stop = 1;
}

/* Every thread of the call, last thing in its parallel region. The master
 * keeps running the signal handlers until the other threads are done: it
 * spins for the first millisecond (short calls must not wait for a nap),
 * then naps a millisecond at a time. */
static void sdtw_leave(void)
{
    sdtw_call *c = sdtw_cur;
    double start;
    if (sdtw_add_active(c, -1) > 0 && sdtw_master) {
        start = sdtw_seconds();
        while (!c->stop && sdtw_active(c) > 0) {
            if (sdtw_seconds() - start > 1e-3)
                sdtw_nap();
            sdtw_poll();
        }
    }
    sdtw_cur = NULL;
}
#endif
