// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// A valid Qt plugin for another interface: the manager must refuse it without running it.
#include <QObject>
#include <QtPlugin>

class OtherInterface
{
public:
    virtual ~OtherInterface() = default;
    virtual void frobnicate() = 0;
};
#define OTHER_INTERFACE_IID "org.example.Other/1"
Q_DECLARE_INTERFACE(OtherInterface, OTHER_INTERFACE_IID)

class OtherPlugin final : public QObject, public OtherInterface
{
    Q_OBJECT
    Q_PLUGIN_METADATA(IID OTHER_INTERFACE_IID FILE "otheriid.json")
    Q_INTERFACES(OtherInterface)

public:
    void frobnicate() override { }
};

#include "otheriid.moc"
