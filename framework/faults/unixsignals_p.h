// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// Internal to Mortar; not part of the API.
#pragma once

// How a Mortar process ends when the orderly close cannot (spec §4.6, §5, §6.2): Unix signals
// turned into a close, the second signal and the crash signals handled inside the signal
// handler, and the report every forced exit writes (stderr line, trace line, emergency cleanup).

#include "forcedexit_p.h"

#include <QByteArray>
#include <QList>
#include <QObject>

#include <atomic>
#include <csignal>
#include <functional>
#include <memory>
#include <vector>

class QSocketNotifier;

namespace Mortar::Internal {

/*!
    The Unix signal handling of one App, from setup() to the end of its close: the signals of
    AppOptions::catchSignals through a self-pipe into \a onSignal (in the App's thread, via a
    QSocketNotifier), and the crash signals (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT) straight
    to the forced-exit report. The previous dispositions (and the thread's alternate signal
    stack) are put back by uninstall() or the destructor.

    The signal handlers are process-wide, so they act on the most recently installed App; an
    App installed while another is, restores that one's handlers when it uninstalls (nested
    Apps uninstall in reverse order).
*/
class UnixSignals final : public QObject
{
    Q_OBJECT

public:
    UnixSignals(FaultContext context, const QList<int> &catchSignals,
                std::function<void(int)> onSignal);
    ~UnixSignals() override;

    /*! Puts back the previous handlers; the object stays (its notifier may be on the stack). */
    void uninstall();
    bool isInstalled() const { return m_installed; }

    /*! A terminating signal asked for this close: the next one while closing ends the process
        at once. Also set by the signal handler for the first signal during a close. */
    void setTerminating() { m_terminating.store(true); }
    /*! Marks a signal that arrived while closing; true if it is the second: end the process. */
    bool isSecondWhileClosing() { return m_terminating.exchange(true); }
    const FaultContext &context() const { return m_context; }

    // For the signal handlers (plain functions, in faulthandling.cpp).
    static void onCaughtSignal(int signalNumber);
    static void onCrashSignal(int signalNumber, siginfo_t *info, void *ucontext);

private:
    void readPipe();

    struct Saved
    {
        int signalNumber;
        struct sigaction action;
    };

    const FaultContext m_context;
    std::function<void(int)> m_onSignal;
    std::vector<Saved> m_saved;
    int m_pipe[2] = {-1, -1};
    QSocketNotifier *m_notifier = nullptr; // child
    std::atomic<bool> m_terminating{false};
    UnixSignals *m_previous = nullptr; // the App installed before this one, if any; not owned
    bool m_installed = false;
    stack_t m_previousAltStack{};
    std::unique_ptr<char[]> m_altStack;
};

} // namespace Mortar::Internal
