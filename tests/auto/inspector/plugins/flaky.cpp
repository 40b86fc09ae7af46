// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// An optional plugin whose load() throws: the app goes on, the inspector shows it Failed.
#include <mortar/app.h>
#include <mortar/plugin.h>

#include <QObject>

#include <stdexcept>

class FlakyPlugin final : public QObject, public Mortar::Plugin
{
    Q_OBJECT
    Q_PLUGIN_METADATA(IID MORTAR_PLUGIN_IID FILE "flaky.json")
    Q_INTERFACES(Mortar::Plugin)

public:
    void load(Mortar::App &) override { throw std::runtime_error("no network"); }
};

#include "flaky.moc"
