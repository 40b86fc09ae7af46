// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// Internal to Mortar; not part of the API.
#pragma once

// The exit-code rules of SPEC §4.3, in one place. Each rule below applies only while no other
// code was set (AppPrivate::applyExitCodeRule with an ExitRule): an explicit non-zero code —
// setExitCode(n), close(n), quit(n) — is never overwritten, except by the two forced ends,
// which end the process at once.
//
//   situation                                                   exit code
//   nothing set                                                 0
//   setExitCode(n) / close(n) / quit(n)                         n (0..255)
//   an exception escaped exec(body)                             1 ExitRule::ExceptionEscaped setup
//   failed (config, plugin, extension, label)             78           SetupFailed a bad command
//   line                                          64           UsageError a cleanup handler failed
//   or timed out                       1            CleanupFailed Unix signal N caused the close
//   (no handler prevented it)    128 + N      signalExitCode(N) the close budget passed (watchdog)
//   AppOptions::timeoutExitCode (124) a second terminating signal during the close 128 + N, at once

namespace Mortar::Internal {

/*! One row of the table: the code, and why, as the trace's \c exitCode.rule event says. */
struct ExitCodeRule
{
    int code;
    const char *why;
};

namespace ExitRule {
inline constexpr ExitCodeRule ExceptionEscaped{1, "an exception escaped the body"};
inline constexpr ExitCodeRule SetupFailed{78, "setup failed"}; // EX_CONFIG
inline constexpr ExitCodeRule UsageError{64, "setup failed"};  // EX_USAGE
inline constexpr ExitCodeRule CleanupFailed{1, "a cleanup handler failed or timed out"};
} // namespace ExitRule

/*! 128 + N: a Unix signal caused the close, or a second one ended it. Async-signal-safe. */
constexpr int signalExitCode(int signalNumber)
{
    return 128 + signalNumber;
}
inline constexpr const char *SignalRuleWhy = "a Unix signal caused the close";

} // namespace Mortar::Internal
