// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#pragma once

#include <mortar/app.h>

#include <QString>

/*!
    What a storage plugin keeps while the app runs: a journal file that must not outlive the
    process. An orderly close removes it in pre_close; if the close is cut short (the watchdog,
    a second Ctrl+C), the emergency cleanup removes it.
*/
class Journal
{
public:
    Journal(Mortar::App &app, const QString &path);

    QString path() const { return m_path; }

private:
    QString m_path;
};
