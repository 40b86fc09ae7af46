// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#include "unixsignals_p.h"

#include "asyncsafe_p.h"
#include "exitcodes_p.h"
#include "forcedexit_p.h"
#include "loggingcategories_p.h"
#include "trace_p.h"

#include <mortar/emergencycleanup.h>

#include <QSocketNotifier>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <mutex>

#include <fcntl.h>
#include <time.h>
#include <unistd.h>

// Qt's hooks for tools (qhooks_p.h, used by debuggers and GammaRay): a table of callbacks Qt
// calls, e.g. for every QObject constructed. Declared here, as that header is private.
extern quintptr qtHookData[]; // NOLINT: Qt's name

namespace Mortar::Internal {

namespace {

// The App whose handlers are installed; the signal handlers reach it only through this.
std::atomic<UnixSignals *> g_current{nullptr};

constexpr int CrashSignals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};

/*! A fault the kernel raises at the faulting instruction: a handler that returns runs into it
    again, so it can only be a crash, never an orderly close. */
bool isFault(int signalNumber)
{
    return signalNumber == SIGSEGV || signalNumber == SIGBUS || signalNumber == SIGFPE
            || signalNumber == SIGILL;
}
constexpr size_t AltStackSize = 64 * 1024;

// qhooks_p.h's indexes into qtHookData.
constexpr int HookDataSize = 1;
constexpr int HookAddQObject = 3;
using AddQObjectCallback = void (*)(QObject *);
AddQObjectCallback g_previousAddQObject = nullptr;

/*!
    An alternate signal stack of a thread other than the App's (which UnixSignals gives one),
    made the first time the thread constructs a QObject — every QThread does, its event
    dispatcher, before run(). So a stack overflow in any QThread still runs the crash handler
    (which needs a stack of its own to run on), and the emergency cleanup happens.
*/
struct ThreadAltStack
{
    std::unique_ptr<char[]> memory;
    ~ThreadAltStack()
    {
        stack_t current = {};
        if (memory && ::sigaltstack(nullptr, &current) == 0 && current.ss_sp == memory.get()) {
            stack_t off = {};
            off.ss_flags = SS_DISABLE;
            ::sigaltstack(&off, nullptr);
        }
    }
};
thread_local bool t_altStackChecked = false;
thread_local ThreadAltStack t_altStack;

void ensureThreadAltStack()
{
    t_altStackChecked = true;
    stack_t current = {};
    // A thread that has one already keeps it (sanitizers install their own; so does the App's).
    if (::sigaltstack(nullptr, &current) != 0 || !(current.ss_flags & SS_DISABLE))
        return;
    auto memory = std::make_unique<char[]>(AltStackSize);
    stack_t ours = {};
    ours.ss_sp = memory.get();
    ours.ss_size = AltStackSize;
    if (::sigaltstack(&ours, nullptr) == 0)
        t_altStack.memory = std::move(memory);
}

void onQObjectCreated(QObject *object)
{
    if (!t_altStackChecked)
        ensureThreadAltStack();
    if (g_previousAddQObject)
        g_previousAddQObject(object);
}

/*! Once per process: every thread that constructs a QObject gets an alternate signal stack. */
void installThreadAltStackHook()
{
    static std::once_flag once;
    std::call_once(once, [] {
        if (qtHookData[HookDataSize] <= quintptr(HookAddQObject))
            return; // a Qt without this hook
        g_previousAddQObject = reinterpret_cast<AddQObjectCallback>(qtHookData[HookAddQObject]);
        qtHookData[HookAddQObject] = reinterpret_cast<quintptr>(&onQObjectCreated);
    });
}

[[noreturn]] void endOnSecondSignal(UnixSignals *self, int signalNumber) noexcept
{
    if (!claimForcedExit()) {
        for (;;) // another thread is ending the process; it finishes the job
            ::pause();
    }
    reportForcedEnd(&self->context(),
                    {.reason = ForcedEnd::Reason::SecondSignal,
                     .signalNumber = signalNumber,
                     .exitCode = signalExitCode(signalNumber)});
    ::_exit(signalExitCode(signalNumber));
}

} // namespace

UnixSignals::UnixSignals(FaultContext context, const QList<int> &catchSignals,
                         std::function<void(int)> onSignal)
    : m_context(std::move(context)),
      m_onSignal(std::move(onSignal))
{
    if (::pipe2(m_pipe, O_CLOEXEC | O_NONBLOCK) != 0) {
        qCWarning(lcApp, "Unable to catch Unix signals: pipe2() failed: %s", std::strerror(errno));
        return;
    }
    m_notifier = new QSocketNotifier(m_pipe[0], QSocketNotifier::Read, this);
    connect(m_notifier, &QSocketNotifier::activated, this, &UnixSignals::readPipe);
    m_previous = g_current.exchange(this);
    m_installed = true;
    installThreadAltStackHook();

    // The crash handlers run on an alternate stack, so a stack overflow still gets its report
    // — unless the thread has one already (sanitizers install their own).
    stack_t current = {};
    if (::sigaltstack(nullptr, &current) == 0 && (current.ss_flags & SS_DISABLE)) {
        m_altStack.reset(new char[AltStackSize]);
        stack_t ours = {};
        ours.ss_sp = m_altStack.get();
        ours.ss_size = AltStackSize;
        if (::sigaltstack(&ours, &m_previousAltStack) != 0)
            m_altStack.reset();
    }

    for (const int signalNumber : catchSignals) {
        if (std::any_of(m_saved.begin(), m_saved.end(),
                        [&](const Saved &saved) { return saved.signalNumber == signalNumber; }))
            continue;
        if (isFault(signalNumber)) {
            qCWarning(lcApp,
                      "Not catching signal %d (AppOptions::catchSignals) for an orderly close: "
                      "it is a fault, which is handled as a crash",
                      signalNumber);
            continue;
        }
        // Inherited as ignored (SIGHUP under nohup, SIGINT in a background job): whoever
        // started us asked for that, and it stays so (spec §5).
        struct sigaction inherited = {};
        if (::sigaction(signalNumber, nullptr, &inherited) == 0
            && !(inherited.sa_flags & SA_SIGINFO) && inherited.sa_handler == SIG_IGN) {
            qCDebug(lcApp, "Not catching signal %d: the process inherited it as ignored",
                    signalNumber);
            continue;
        }
        struct sigaction action = {};
        action.sa_handler = &UnixSignals::onCaughtSignal;
        sigemptyset(&action.sa_mask);
        action.sa_flags = SA_RESTART; // the App's thread goes on with what it was doing
        Saved saved{signalNumber, {}};
        if (::sigaction(signalNumber, &action, &saved.action) != 0) {
            qCWarning(lcApp, "Unable to catch signal %d (AppOptions::catchSignals): %s",
                      signalNumber, std::strerror(errno));
            continue;
        }
        m_saved.push_back(saved);
    }
    for (const int signalNumber : CrashSignals) {
        if (catchSignals.contains(signalNumber) && !isFault(signalNumber))
            continue; // the application asked for an orderly close on it (SIGABRT)
        struct sigaction action = {};
        action.sa_sigaction = &UnixSignals::onCrashSignal;
        sigemptyset(&action.sa_mask);
        action.sa_flags = SA_SIGINFO | SA_ONSTACK;
        Saved saved{signalNumber, {}};
        if (::sigaction(signalNumber, &action, &saved.action) == 0)
            m_saved.push_back(saved);
    }
}

UnixSignals::~UnixSignals()
{
    uninstall();
}

void UnixSignals::uninstall()
{
    if (!m_installed)
        return;
    m_installed = false;
    for (auto it = m_saved.rbegin(); it != m_saved.rend(); ++it)
        ::sigaction(it->signalNumber, &it->action, nullptr);
    m_saved.clear();
    if (m_altStack) {
        // Only the thread that installed it can take it back; elsewhere the stack stays
        // allocated (and in use) for the rest of the process.
        stack_t current = {};
        if (::sigaltstack(nullptr, &current) == 0 && current.ss_sp == m_altStack.get()) {
            ::sigaltstack(&m_previousAltStack, nullptr);
            m_altStack.reset();
        } else {
            (void)m_altStack.release();
        }
    }
    UnixSignals *expected = this;
    g_current.compare_exchange_strong(expected, m_previous);
    m_notifier->setEnabled(false);
    ::close(m_pipe[0]);
    ::close(m_pipe[1]);
    m_pipe[0] = m_pipe[1] = -1;
}

void UnixSignals::readPipe()
{
    // Every signal that is in the pipe now, each byte one signal: two that arrive together
    // are both handled (spec §5). Read before handling any, since the first one's close may
    // uninstall, closing the pipe with the second still in it.
    unsigned char signalNumbers[64];
    const ssize_t count = ::read(m_pipe[0], signalNumbers, sizeof signalNumbers);
    for (ssize_t i = 0; i < count && m_onSignal; ++i)
        m_onSignal(signalNumbers[i]);
}

void UnixSignals::onCaughtSignal(int signalNumber)
{
    const int savedErrno = errno;
    UnixSignals *const self = g_current.load(std::memory_order_acquire);
    if (self) {
        // While closing, the App's thread may be stuck in a handler: the second signal is
        // handled here, not through the event loop.
        if (self->m_context.closing->load(std::memory_order_relaxed)
            && self->isSecondWhileClosing()) {
            endOnSecondSignal(self, signalNumber);
        }
        const unsigned char byte = static_cast<unsigned char>(signalNumber);
        // A full pipe (hundreds of unread signals) loses this one: the close is coming anyway.
        [[maybe_unused]] const ssize_t written = ::write(self->m_pipe[1], &byte, 1);
    }
    errno = savedErrno;
}

void UnixSignals::onCrashSignal(int signalNumber, siginfo_t *, void *)
{
    if (claimForcedExit()) {
        UnixSignals *const self = g_current.load(std::memory_order_acquire);
        if (self)
            reportForcedEnd(&self->m_context,
                            {.reason = ForcedEnd::Reason::Crash, .signalNumber = signalNumber});
        else
            EmergencyCleanup::run();
    } else {
        // Another thread is ending the process (it crashed too, or the watchdog fired): dying
        // now would cut its report short — the trace's last line, the emergency cleanup. It
        // ends the process when done; waiting is bounded in case it cannot.
        const timespec tick{0, 10'000'000};
        for (int waited = 0; waited < 500; ++waited)
            ::nanosleep(&tick, nullptr);
    }
    // Die of this very signal, so the wait status and a core dump tell the truth: with the
    // default action back, the raised signal is delivered as soon as this handler returns (a
    // fault would also simply recur).
    struct sigaction defaultAction = {};
    defaultAction.sa_handler = SIG_DFL;
    sigemptyset(&defaultAction.sa_mask);
    ::sigaction(signalNumber, &defaultAction, nullptr);
    ::raise(signalNumber);
}

} // namespace Mortar::Internal
