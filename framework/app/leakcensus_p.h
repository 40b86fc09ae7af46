// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// Internal to Mortar; not part of the API.
#pragma once

// The process's part of the leak census (spec §16), from the OS: threads and file descriptors
// that setup() did not find and that are still there after the plugins unloaded. (What each
// plugin left is counted by the plugin manager, objectcensus_p.h.)

#include <QSet>
#include <QString>

namespace Mortar::Internal {

class AppPrivate;

class LeakCensus
{
public:
    /*! In setup(), once the framework's own descriptors and threads exist (signal pipe,
        black box, trace file, inspection server): what the census compares with. */
    void snapshot();
    /*! After the plugins unloaded: records \c leak.thread and \c leak.fd events, warns. */
    void take(AppPrivate *d);

private:
    QSet<int> m_threads;
    QSet<int> m_fds;
    bool m_taken = false;
};

} // namespace Mortar::Internal
